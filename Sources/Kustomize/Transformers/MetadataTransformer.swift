import API

/// The transformers that rewrite metadata everywhere: namespace, name prefix and suffix, labels, annotations.
enum MetadataTransformer {
    /// Sets the namespace of every namespaced resource, and of ServiceAccount subjects of role bindings
    /// that were in the resources' old namespace.
    static func setNamespace(_ namespace: String, in resources: inout [Resource]) {
        for index in resources.indices {
            let resource = resources[index]
            if resource.kind == "RoleBinding" || resource.kind == "ClusterRoleBinding" {
                setSubjectNamespaces(namespace, in: &resources[index])
            }
            guard !FieldSpec.clusterScopedKinds.contains(resource.kind) else { continue }
            resources[index].namespace = namespace
        }
    }

    /// Kustomize moves ServiceAccount subjects named `default` or in the old namespace along with the rest.
    private static func setSubjectNamespaces(_ namespace: String, in resource: inout Resource) {
        let previous = resource.namespace
        FieldWalker.update(&resource.value, "subjects[]", create: false) { subject in
            guard subject["kind"]?.stringValue == "ServiceAccount" else { return }
            let current = subject["namespace"]?.stringValue
            if current == nil || current == previous || subject["name"]?.stringValue == "default" {
                subject["namespace"] = .string(namespace)
            }
        }
    }

    /// Adds a prefix and a suffix to every resource's name, remembering the old name for references.
    static func affixNames(prefix: String, suffix: String, in resources: inout [Resource]) {
        guard !prefix.isEmpty || !suffix.isEmpty else { return }
        for index in resources.indices {
            guard !skipsAffixes(resources[index]) else { continue }
            let name = resources[index].name
            resources[index].previousNames.append(name)
            resources[index].name = prefix + name + suffix
        }
    }

    /// Kinds Kustomize never renames: renaming them would break what refers to them outside the render.
    private static func skipsAffixes(_ resource: Resource) -> Bool {
        resource.kind == "CustomResourceDefinition" || resource.kind == "Namespace"
    }

    /// Applies labels at the given field specs.
    static func addLabels(_ pairs: [String: String], specs: [FieldSpec], in resources: inout [Resource]) {
        guard !pairs.isEmpty else { return }
        for index in resources.indices {
            for spec in specs where spec.applies(to: resources[index]) {
                FieldWalker.update(&resources[index].value, spec.path, create: spec.create, FieldWalker.mergeStrings(pairs))
            }
        }
    }

    /// Applies annotations to objects and pod templates.
    static func addAnnotations(_ pairs: [String: String], in resources: inout [Resource]) {
        addLabels(pairs, specs: FieldSpec.annotations, in: &resources)
    }
}
