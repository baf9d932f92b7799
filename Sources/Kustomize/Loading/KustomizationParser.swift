import API

/// Reads a kustomization file into a `Kustomization`, refusing unknown and unsupported fields by name.
struct KustomizationParser {
    /// The file names Kustomize looks for, in its order of preference.
    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// Fields of Kustomize that gitopsd refuses rather than ignores, with the reason given to users.
    static let unsupported: [String: String] = [
        "replacements": "replacements are not implemented yet",
        "vars": "vars are deprecated in Kustomize; use replacements",
        "helmCharts": "Helm charts would need helm and the network at render time",
        "helmGlobals": "Helm charts would need helm and the network at render time",
        "generators": "generator plugins run programs or containers",
        "transformers": "transformer plugins run programs or containers",
        "validators": "validator plugins run programs or containers",
        "crds": "custom resource field specs are not implemented",
        "configurations": "custom transformer configurations are not implemented",
        "openapi": "custom OpenAPI schemas are not implemented",
        "sortOptions": "output order is not part of gitopsd's desired state",
        "buildMetadata": "build annotations are not implemented",
        "nameSpace": "misspelled: the field is namespace",
        "imageTags": "imageTags was removed from Kustomize; use images",
    ]

    static let known: Set<String> = [
        "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "namePrefix",
        "nameSuffix", "commonLabels", "labels", "commonAnnotations", "images", "replicas", "configMapGenerator",
        "secretGenerator", "generatorOptions", "patches", "patchesStrategicMerge", "patchesJson6902",
    ]

    let tree: any FileTree
    let limit: Int

    /// The kustomization file in `directory`, if there is one.
    static func file(in directory: String, tree: some FileTree) -> String? {
        for name in fileNames {
            let path = directory.isEmpty ? name : directory + "/" + name
            if tree.isFile(path) { return path }
        }
        return nil
    }

    func parse(file: String) throws(KustomizeError) -> Kustomization {
        let bytes = try tree.read(file, limit: limit)
        let documents: [LocatedDocument]
        do throws(APIError) {
            documents = try Value.locatedDocuments(yaml: bytes, file: file)
        } catch {
            throw KustomizeError(error)
        }
        guard documents.count <= 1 else {
            throw KustomizeError(.invalidValue, "a kustomization file holds one document, this one has \(documents.count)", location: SourceLocation(file: file, line: 1, column: 1))
        }
        let document = documents.first ?? LocatedDocument(value: .object([:]), sourceMap: SourceMap(file: file))
        let root = FieldReader(value: document.value == .null ? .object([:]) : document.value, sourceMap: document.sourceMap)
        try root.check(allowed: Self.known, unsupported: Self.unsupported, context: "a kustomization")

        let kind = try root.string("kind") ?? "Kustomization"
        let apiVersion = try root.string("apiVersion")
        guard kind == "Kustomization" || kind == "Component" else {
            throw KustomizeError(.invalidValue, "kind: expected Kustomization or Component, got \(kind)", location: root.location("kind"))
        }
        if let apiVersion, !apiVersion.hasPrefix("kustomize.config.k8s.io/") {
            throw KustomizeError(.invalidValue, "apiVersion: expected kustomize.config.k8s.io/v1beta1 or v1alpha1, got \(apiVersion)", location: root.location("apiVersion"))
        }
        var result = Kustomization(directory: TreePath.directory(of: file), file: file, isComponent: kind == "Component")
        result.location = SourceLocation(file: file, line: 1, column: 1)
        result.resources = try entries(root, "resources") + entries(root, "bases")
        result.components = try entries(root, "components")
        result.namespace = try root.string("namespace")
        result.namePrefix = try root.string("namePrefix")
        result.nameSuffix = try root.string("nameSuffix")
        result.commonLabels = try root.stringMap("commonLabels")
        result.commonAnnotations = try root.stringMap("commonAnnotations")
        for entry in try root.objects("labels") {
            try entry.check(allowed: ["pairs", "includeSelectors", "includeTemplates"], unsupported: ["fields": "custom label fields are not implemented"], context: "a labels entry")
            result.labels.append(
                Kustomization.LabelSet(
                    pairs: try entry.stringMap("pairs"), includeSelectors: try entry.bool("includeSelectors") ?? false,
                    includeTemplates: try entry.bool("includeTemplates") ?? false))
        }
        for entry in try root.objects("images") {
            try entry.check(allowed: ["name", "newName", "newTag", "digest"], context: "an images entry")
            guard let name = try entry.string("name") else {
                throw KustomizeError(.invalidValue, "\(entry.path): an image needs a name", location: entry.location())
            }
            result.images.append(
                Kustomization.ImageRule(name: name, newName: try entry.string("newName"), newTag: try entry.string("newTag"), digest: try entry.string("digest")))
        }
        for entry in try root.objects("replicas") {
            try entry.check(allowed: ["name", "count"], context: "a replicas entry")
            guard let name = try entry.string("name"), let count = try entry.int("count") else {
                throw KustomizeError(.invalidValue, "\(entry.path): a replicas entry needs name and count", location: entry.location())
            }
            result.replicas.append(Kustomization.ReplicaRule(name: name, count: count, location: entry.location()))
        }
        if let options = try root.object("generatorOptions") {
            result.generatorOptions = try generatorOptions(options)
        }
        for entry in try root.objects("configMapGenerator") {
            result.generators.append(try generator(entry, kind: "ConfigMap"))
        }
        for entry in try root.objects("secretGenerator") {
            result.generators.append(try generator(entry, kind: "Secret"))
        }
        result.patchesStrategicMerge = try strategicMergePatches(root, directory: result.directory)
        for entry in try root.objects("patches") {
            try entry.check(allowed: ["path", "patch", "target", "options"], context: "a patches entry")
            if let options = try entry.object("options") {
                try options.check(allowed: [], unsupported: ["allowNameChange": "renaming through patches is not implemented", "allowKindChange": "changing kinds through patches is not implemented"], context: "patch options")
            }
            result.patches.append(try patch(entry, directory: result.directory, file: file, isJSON6902: false))
        }
        for entry in try root.objects("patchesJson6902") {
            try entry.check(allowed: ["path", "patch", "target"], context: "a patchesJson6902 entry")
            guard entry.value["target"] != nil else {
                throw KustomizeError(.invalidValue, "\(entry.path): a JSON 6902 patch needs a target", location: entry.location())
            }
            result.patchesJson6902.append(try patch(entry, directory: result.directory, file: file, isJSON6902: true))
        }
        return result
    }

    private func entries(_ root: FieldReader, _ key: String) throws(KustomizeError) -> [Kustomization.Entry] {
        try root.strings(key).map { Kustomization.Entry(path: $0.0, location: $0.1) }
    }

    private func generatorOptions(_ reader: FieldReader) throws(KustomizeError) -> Kustomization.GeneratorOptions {
        try reader.check(allowed: ["labels", "annotations", "disableNameSuffixHash", "immutable"], context: "generator options")
        return Kustomization.GeneratorOptions(
            labels: try reader.stringMap("labels"), annotations: try reader.stringMap("annotations"),
            disableNameSuffixHash: try reader.bool("disableNameSuffixHash"), immutable: try reader.bool("immutable"))
    }

    private func generator(_ entry: FieldReader, kind: String) throws(KustomizeError) -> Kustomization.Generator {
        var allowed: Set<String> = ["name", "namespace", "behavior", "literals", "files", "envs", "env", "options"]
        if kind == "Secret" { allowed.insert("type") }
        try entry.check(allowed: allowed, context: "a \(kind == "Secret" ? "secretGenerator" : "configMapGenerator") entry")
        guard let name = try entry.string("name") else {
            throw KustomizeError(.invalidValue, "\(entry.path): a generator needs a name", location: entry.location())
        }
        let behaviorText = try entry.string("behavior") ?? "create"
        guard let behavior = Resource.Behavior(rawValue: behaviorText.isEmpty ? "create" : behaviorText) else {
            throw KustomizeError(.invalidValue, "\(entry.fieldName("behavior")): expected create, merge or replace, got \(behaviorText)", location: entry.location("behavior"))
        }
        var envs = try entry.strings("envs").map { Kustomization.Entry(path: $0.0, location: $0.1) }
        if let env = try entry.string("env") { envs.append(Kustomization.Entry(path: env, location: entry.location("env"))) }
        return Kustomization.Generator(
            kind: kind, name: name, namespace: try entry.string("namespace"), behavior: behavior,
            literals: try entry.strings("literals").map { Kustomization.Entry(path: $0.0, location: $0.1) },
            files: try entry.strings("files").map { Kustomization.Entry(path: $0.0, location: $0.1) }, envs: envs,
            type: try entry.string("type"), options: try entry.object("options").map { (reader) throws(KustomizeError) in try generatorOptions(reader) },
            location: entry.location())
    }

    private func strategicMergePatches(_ root: FieldReader, directory: String) throws(KustomizeError) -> [Kustomization.Patch] {
        var result: [Kustomization.Patch] = []
        for (text, location) in try root.strings("patchesStrategicMerge") {
            // An entry is a file path unless it reads as YAML with more than one line, as Kustomize decides.
            if text.contains("\n") {
                result.append(Kustomization.Patch(text: Array(text.utf8), file: location?.file ?? "", location: location, isJSON6902: false))
            } else {
                let path = try resolveFile(text, in: directory, location: location)
                result.append(Kustomization.Patch(text: try tree.read(path, limit: limit), file: path, location: location, isJSON6902: false))
            }
        }
        return result
    }

    private func patch(_ entry: FieldReader, directory: String, file: String, isJSON6902: Bool) throws(KustomizeError) -> Kustomization.Patch {
        var target: Kustomization.Target?
        if let reader = try entry.object("target") {
            try reader.check(allowed: ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"], context: "a patch target")
            target = Kustomization.Target(
                group: try reader.string("group"), version: try reader.string("version"), kind: try reader.string("kind"),
                name: try reader.string("name"), namespace: try reader.string("namespace"),
                labelSelector: try reader.string("labelSelector"), annotationSelector: try reader.string("annotationSelector"))
        }
        let inline = try entry.string("patch")
        let path = try entry.string("path")
        switch (inline, path) {
        case (let text?, nil):
            return Kustomization.Patch(text: Array(text.utf8), file: file, target: target, location: entry.location("patch"), isJSON6902: isJSON6902)
        case (nil, let path?):
            let resolved = try resolveFile(path, in: directory, location: entry.location("path"))
            return Kustomization.Patch(text: try tree.read(resolved, limit: limit), file: resolved, target: target, location: entry.location("path"), isJSON6902: isJSON6902)
        default:
            throw KustomizeError(.invalidValue, "\(entry.path): a patch needs exactly one of path and patch", location: entry.location())
        }
    }

    /// A file named in `directory`'s kustomization: it must be inside that directory (Kustomize's default
    /// load restriction), which also keeps it inside the repository.
    func resolveFile(_ path: String, in directory: String, location: SourceLocation?) throws(KustomizeError) -> String {
        if KustomizeRenderer.isRemote(path) {
            throw KustomizeError(.remoteResource, "\(path): remote files are refused; rendering never uses the network", location: location)
        }
        guard let resolved = TreePath.join(directory, path) else {
            throw KustomizeError(.outsideRoot, "\(path): leaves the repository root", location: location)
        }
        guard directory.isEmpty || resolved.hasPrefix(directory + "/") else {
            throw KustomizeError(.outsideRoot, "\(path): a file must be in or below the kustomization's directory \(directory)", location: location)
        }
        guard tree.isFile(resolved) else {
            throw KustomizeError(.notFound, "\(path): no such file", location: location)
        }
        return resolved
    }
}
