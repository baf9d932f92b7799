import API
import Foundation

/// Applies one kustomization's patches: finds their targets and runs strategic merge or JSON 6902.
struct PatchApplier {
    /// `patchesStrategicMerge` and target-less `patches`: the patch names its own target, which must exist.
    static func applyNamed(_ patch: Kustomization.Patch, to resources: inout [Resource]) throws(KustomizeError) {
        for document in try documents(of: patch) {
            let kind = document.value["kind"]?.stringValue ?? ""
            let name = document.value[path: ["metadata", "name"]]?.stringValue ?? ""
            let namespace = document.value[path: ["metadata", "namespace"]]?.stringValue
            let group = Resource(value: document.value, sourceMap: document.sourceMap).group
            guard !kind.isEmpty, !name.isEmpty else {
                throw KustomizeError(.invalidValue, "a strategic merge patch without a target needs kind and metadata.name", location: document.sourceMap.location(of: FieldPath()) ?? patch.location)
            }
            var matches = resources.indices.filter {
                let resource = resources[$0]
                return resource.kind == kind && resource.group == group
                    && (resource.name == name || resource.originalName == name || resource.previousNames.contains(name))
            }
            if let namespace {
                matches = matches.filter { (resources[$0].namespace ?? "") == namespace }
            } else if matches.count > 1 {
                matches = matches.filter { (resources[$0].namespace ?? "").isEmpty || resources[$0].namespace == "default" }
            }
            let label = "\(kind)/\(name)" + (namespace.map { " in namespace \($0)" } ?? "")
            guard matches.count == 1, let index = matches.first else {
                let reason = matches.isEmpty ? "no resource matches" : "\(matches.count) resources match"
                throw KustomizeError(.patchFailed, "strategic merge patch for \(label): \(reason)", location: document.sourceMap.location(of: FieldPath()) ?? patch.location)
            }
            try merge(document.value, into: &resources[index], location: patch.location)
        }
    }

    /// `patches` with a target, and `patchesJson6902`: applied to every resource the target selects.
    static func applyTargeted(_ patch: Kustomization.Patch, target: Kustomization.Target, to resources: inout [Resource]) throws(KustomizeError) {
        let selected = try select(target, in: resources, location: patch.location)
        let documents = try documents(of: patch)
        let isJSON = patch.isJSON6902 || (documents.count == 1 && documents[0].value.arrayValue != nil)
        if isJSON {
            guard let document = documents.first, documents.count == 1 else {
                throw KustomizeError(.invalidValue, "a JSON 6902 patch is one list of operations", location: patch.location)
            }
            let operations = try JSONPatch(document.value, file: patch.file, location: patch.location)
            for index in selected {
                resources[index].value = try operations.apply(to: resources[index].value, location: patch.location, object: resources[index].displayName)
            }
            return
        }
        for document in documents {
            for index in selected {
                var body = document.value
                // The patch's own identity does not retarget a selected resource.
                body[path: ["metadata", "name"]] = nil
                body[path: ["metadata", "namespace"]] = nil
                if body[path: ["metadata"]]?.objectValue?.isEmpty ?? false { body["metadata"] = nil }
                body["kind"] = nil
                body["apiVersion"] = nil
                try merge(body, into: &resources[index], location: patch.location)
            }
        }
    }

    private static func merge(_ patch: Value, into resource: inout Resource, location: SourceLocation?) throws(KustomizeError) {
        do throws(KustomizeError) {
            guard let merged = try StrategicMerge.apply(patch, toResource: resource.value, group: resource.group) else {
                throw KustomizeError(.patchFailed, "\(resource.displayName): deleting whole resources with $patch: delete is not supported")
            }
            resource.value = merged
        } catch {
            var located = error
            if located.location == nil { located.location = location }
            if !located.message.hasPrefix(resource.displayName) { located.message = "\(resource.displayName): \(located.message)" }
            throw located
        }
    }

    /// The YAML (or JSON) documents of a patch.
    static func documents(of patch: Kustomization.Patch) throws(KustomizeError) -> [LocatedDocument] {
        do throws(APIError) {
            var documents = try Value.locatedDocuments(yaml: patch.text, file: patch.file)
            documents = documents.filter { $0.value != .null }
            if documents.isEmpty {
                throw APIError(.syntax, "the patch is empty", location: patch.location)
            }
            return documents
        } catch {
            var located = KustomizeError(error)
            // An inline patch's line numbers are relative to the patch text, so point at the entry instead.
            if patch.file == patch.location?.file { located.location = patch.location }
            throw located
        }
    }

    /// Indices of the resources a target selects; names and namespaces are anchored regular expressions.
    static func select(_ target: Kustomization.Target, in resources: [Resource], location: SourceLocation?) throws(KustomizeError) -> [Int] {
        let labelSelector = try target.labelSelector.map { (text) throws(KustomizeError) in try parseSelector(text, location) }
        let annotationSelector = try target.annotationSelector.map { (text) throws(KustomizeError) in try parseSelector(text, location) }
        let name = try target.name.map { (text) throws(KustomizeError) in try anchored(text, location) }
        let namespace = try target.namespace.map { (text) throws(KustomizeError) in try anchored(text, location) }
        let kind = try target.kind.map { (text) throws(KustomizeError) in try anchored(text, location) }
        return resources.indices.filter { index in
            let resource = resources[index]
            if let group = target.group, group != resource.group { return false }
            if let version = target.version, version != resource.version { return false }
            if let kind, !matches(kind, resource.kind) { return false }
            if let name, !(matches(name, resource.name) || matches(name, resource.originalName)) { return false }
            if let namespace, !matches(namespace, resource.namespace ?? "") { return false }
            if let labelSelector, !labelSelector.matches(resource.labels) { return false }
            if let annotationSelector, !annotationSelector.matches(resource.annotations) { return false }
            return true
        }
    }

    private static func parseSelector(_ text: String, _ location: SourceLocation?) throws(KustomizeError) -> LabelSelector {
        do throws(APIError) {
            return try LabelSelector(parsing: text)
        } catch {
            throw KustomizeError(.invalidValue, "selector \(text): \(error.message)", location: location)
        }
    }

    private static func anchored(_ pattern: String, _ location: SourceLocation?) throws(KustomizeError) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
        } catch {
            throw KustomizeError(.invalidValue, "\(pattern): not a valid regular expression", location: location)
        }
    }

    private static func matches(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
