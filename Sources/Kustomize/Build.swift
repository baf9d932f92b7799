import API

/// One render in progress: reads kustomizations recursively and runs their generators and transformers
/// in Kustomize's order.
struct Build {
    let tree: any FileTree
    let configuration: KustomizeRenderer.Configuration

    init(tree: any FileTree, configuration: KustomizeRenderer.Configuration) {
        self.tree = tree
        self.configuration = configuration
    }

    private var parser: KustomizationParser { KustomizationParser(tree: tree, limit: configuration.maximumFileSize) }

    /// Reads the kustomization (or component) in `directory` on top of `initial` and returns the result.
    /// - Parameters:
    ///   - stack: the directories being rendered above this one, to catch cycles.
    ///   - component: whether the directory is named in `components` (and so must be `kind: Component`).
    mutating func accumulate(
        directory: String, into initial: [Resource], stack: [String], component: Bool, location: SourceLocation?
    ) throws(KustomizeError) -> [Resource] {
        guard let file = KustomizationParser.file(in: directory, tree: tree) else {
            throw KustomizeError(.notFound, "\(directory.isEmpty ? "." : directory): no kustomization.yaml, kustomization.yml or Kustomization", location: location)
        }
        if let start = stack.firstIndex(of: directory) {
            let chain = (stack[start...] + [directory]).map { $0.isEmpty ? "." : $0 }.joined(separator: " -> ")
            throw KustomizeError(.cycle, "kustomizations include one another in a cycle: \(chain)", location: location)
        }
        guard stack.count < configuration.maximumDepth else {
            throw KustomizeError(.cycle, "kustomizations nest deeper than \(configuration.maximumDepth)", location: location)
        }
        let kustomization = try parser.parse(file: file)
        if component != kustomization.isComponent {
            let expected = component ? "Component" : "Kustomization"
            throw KustomizeError(
                .invalidValue, "\(file): expected kind \(expected), got \(kustomization.isComponent ? "Component" : "Kustomization")",
                location: location ?? kustomization.location)
        }
        let stack = stack + [directory]
        var resources = initial
        for entry in kustomization.resources {
            for resource in try load(entry, kustomization: kustomization, stack: stack) {
                try add(resource, to: &resources, location: entry.location)
            }
        }
        for entry in kustomization.components {
            guard !KustomizeRenderer.isRemote(entry.path) else {
                throw KustomizeError(.remoteResource, "\(entry.path): remote components are refused; rendering never uses the network", location: entry.location)
            }
            guard let path = TreePath.join(kustomization.directory, entry.path) else {
                throw KustomizeError(.outsideRoot, "\(entry.path): leaves the repository root", location: entry.location)
            }
            guard tree.isDirectory(path) else {
                throw KustomizeError(.notFound, "\(entry.path): a component must be a directory", location: entry.location)
            }
            resources = try accumulate(directory: path, into: resources, stack: stack, component: true, location: entry.location)
        }
        try generate(kustomization, into: &resources)
        try transform(kustomization, &resources)
        return resources
    }

    /// The resources one `resources` entry names: a file's objects, or a directory's rendered kustomization.
    private mutating func load(_ entry: Kustomization.Entry, kustomization: Kustomization, stack: [String]) throws(KustomizeError) -> [Resource] {
        if KustomizeRenderer.isRemote(entry.path) {
            throw KustomizeError(.remoteResource, "\(entry.path): remote resources are refused; rendering never uses the network", location: entry.location)
        }
        guard let path = TreePath.join(kustomization.directory, entry.path) else {
            throw KustomizeError(.outsideRoot, "\(entry.path): leaves the repository root", location: entry.location)
        }
        if tree.isDirectory(path) {
            return try accumulate(directory: path, into: [], stack: stack, component: false, location: entry.location)
        }
        let file = try parser.resolveFile(entry.path, in: kustomization.directory, location: entry.location)
        return try objects(in: file)
    }

    /// The objects of a manifest file, `List`s expanded.
    private func objects(in file: String) throws(KustomizeError) -> [Resource] {
        let bytes = try tree.read(file, limit: configuration.maximumFileSize)
        let documents: [LocatedDocument]
        do throws(APIError) {
            documents = try Value.locatedDocuments(yaml: bytes, file: file)
        } catch {
            throw KustomizeError(error)
        }
        var result: [Resource] = []
        for document in documents where document.value != .null {
            for (value, sourceMap) in ManifestLists.expand(document.value, document.sourceMap) {
                let location = sourceMap.location(of: FieldPath()) ?? SourceLocation(file: file, line: 1, column: 1)
                guard case .object = value else {
                    throw KustomizeError(.invalidValue, "expected an object, got \(value.typeName)", location: location)
                }
                guard value["kind"]?.stringValue?.isEmpty == false else {
                    throw KustomizeError(.invalidValue, "an object needs kind", location: location)
                }
                guard value[path: ["metadata", "name"]]?.stringValue?.isEmpty == false else {
                    throw KustomizeError(.invalidValue, "an object needs metadata.name", location: location)
                }
                if value["kind"]?.stringValue == "Kustomization" || value["kind"]?.stringValue == "Component",
                    value["apiVersion"]?.stringValue?.hasPrefix("kustomize.config.k8s.io/") == true
                {
                    throw KustomizeError(.invalidValue, "a kustomization named as a resource file; name its directory instead", location: location)
                }
                result.append(Resource(value: value, sourceMap: sourceMap))
            }
        }
        return result
    }

    private func add(_ resource: Resource, to resources: inout [Resource], location: SourceLocation?) throws(KustomizeError) {
        if let existing = resources.first(where: { $0.id == resource.id }) {
            throw KustomizeError(
                .conflict, "\(resource.id) is defined twice" + (existing.location.map { ", first at \($0)" } ?? ""),
                location: resource.location ?? location)
        }
        resources.append(resource)
    }

    /// `configMapGenerator` and `secretGenerator`, with their `behavior` against existing objects.
    private func generate(_ kustomization: Kustomization, into resources: inout [Resource]) throws(KustomizeError) {
        let generator = DataGenerator(tree: tree, limit: configuration.maximumFileSize, kustomization: kustomization)
        for entry in kustomization.generators {
            let generated = try generator.generate(entry)
            if entry.behavior == .create {
                try add(generated, to: &resources, location: entry.location)
                continue
            }
            let matches = resources.indices.filter { index in
                let resource = resources[index]
                return resource.kind == entry.kind && resource.group.isEmpty
                    && (resource.originalName == entry.name || resource.name == entry.name)
                    && (entry.namespace == nil || resource.namespace == entry.namespace)
            }
            guard matches.count == 1, let index = matches.first else {
                let reason = matches.isEmpty ? "there is no \(entry.kind) \(entry.name) to \(entry.behavior.rawValue) with" : "\(matches.count) objects named \(entry.name) match"
                throw KustomizeError(.conflict, "\(entry.kind) generator \(entry.name): \(reason)", location: entry.location)
            }
            GeneratorMerge.apply(generated, behavior: entry.behavior, to: &resources[index])
        }
    }

    /// The transformers, in the order Kustomize runs its built-in ones.
    private func transform(_ kustomization: Kustomization, _ resources: inout [Resource]) throws(KustomizeError) {
        for patch in kustomization.patchesStrategicMerge {
            try PatchApplier.applyNamed(patch, to: &resources)
        }
        for patch in kustomization.patches {
            if let target = patch.target {
                try PatchApplier.applyTargeted(patch, target: target, to: &resources)
            } else {
                try PatchApplier.applyNamed(patch, to: &resources)
            }
        }
        if let namespace = kustomization.namespace, !namespace.isEmpty {
            MetadataTransformer.setNamespace(namespace, in: &resources)
        }
        MetadataTransformer.affixNames(prefix: kustomization.namePrefix ?? "", suffix: kustomization.nameSuffix ?? "", in: &resources)
        MetadataTransformer.addLabels(kustomization.commonLabels, specs: FieldSpec.templateLabels + FieldSpec.selectorLabels, in: &resources)
        for set in kustomization.labels {
            let specs: [FieldSpec] =
                set.includeSelectors
                ? FieldSpec.templateLabels + FieldSpec.selectorLabels
                : (set.includeTemplates ? FieldSpec.templateLabels : [FieldSpec(path: "metadata.labels", create: true)])
            MetadataTransformer.addLabels(set.pairs, specs: specs, in: &resources)
        }
        MetadataTransformer.addAnnotations(kustomization.commonAnnotations, in: &resources)
        for patch in kustomization.patchesJson6902 {
            try PatchApplier.applyTargeted(patch, target: patch.target ?? Kustomization.Target(), to: &resources)
        }
        try ReplicaTransformer.apply(kustomization.replicas, to: &resources)
        ImageTransformer.apply(kustomization.images, to: &resources)
    }
}
