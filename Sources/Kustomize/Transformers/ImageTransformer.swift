import API

/// `images`: new names, tags and digests for container images, matched by image name.
enum ImageTransformer {
    /// An image reference split into its parts.
    struct Reference: Equatable {
        var name: String
        var tag: String?
        var digest: String?

        init(_ text: String) {
            var rest = Substring(text)
            if let at = rest.firstIndex(of: "@") {
                digest = String(rest[rest.index(after: at)...])
                rest = rest[..<at]
            }
            let lastSlash = rest.lastIndex(of: "/")
            if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
                tag = String(rest[rest.index(after: colon)...])
                rest = rest[..<colon]
            }
            name = String(rest)
        }

        var text: String {
            var result = name
            if let tag { result += ":" + tag }
            if let digest { result += "@" + digest }
            return result
        }
    }

    static func apply(_ rules: [Kustomization.ImageRule], to resources: inout [Resource]) {
        guard !rules.isEmpty else { return }
        for index in resources.indices {
            rewriteContainers(&resources[index].value, rules)
        }
    }

    /// Rewrites `image` in every element of any `containers` or `initContainers` list, at any depth, so
    /// custom resources that embed pod templates are covered too.
    private static func rewriteContainers(_ value: inout Value, _ rules: [Kustomization.ImageRule]) {
        switch value {
        case .object(var members):
            for (key, member) in members {
                var child = member
                if key == "containers" || key == "initContainers", case .array(var elements) = child {
                    for element in elements.indices {
                        if let image = elements[element]["image"]?.stringValue {
                            elements[element]["image"] = .string(rewrite(image, rules))
                        }
                    }
                    child = .array(elements)
                } else {
                    rewriteContainers(&child, rules)
                }
                members[key] = child
            }
            value = .object(members)
        case .array(var elements):
            for index in elements.indices { rewriteContainers(&elements[index], rules) }
            value = .array(elements)
        default:
            return
        }
    }

    static func rewrite(_ image: String, _ rules: [Kustomization.ImageRule]) -> String {
        var reference = Reference(image)
        guard let rule = rules.first(where: { $0.name == reference.name }) else { return image }
        if let newName = rule.newName { reference.name = newName }
        if let newTag = rule.newTag {
            reference.tag = newTag
            reference.digest = nil
        }
        if let digest = rule.digest {
            reference.digest = digest
            if rule.newTag == nil { reference.tag = nil }
        }
        return reference.text
    }
}
