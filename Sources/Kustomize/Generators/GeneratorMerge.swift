import API

/// `behavior: merge` and `behavior: replace`: a generator entry changing an object from a base.
enum GeneratorMerge {
    static func apply(_ generated: Resource, behavior: Resource.Behavior, to existing: inout Resource) {
        var value = existing.value
        if behavior == .replace {
            // The generated object takes the old one's place, keeping only its identity.
            value = generated.value
            value[path: ["metadata", "name"]] = existing.value[path: ["metadata", "name"]]
            value[path: ["metadata", "namespace"]] = existing.value[path: ["metadata", "namespace"]]
            existing.value = value
            existing.needsHashSuffix = existing.needsHashSuffix && generated.needsHashSuffix
            return
        }
        for field in ["data", "binaryData"] {
            if let members = generated.value[field]?.objectValue {
                var merged = value[field]?.objectValue ?? [:]
                merged.merge(members) { $1 }
                value[field] = .object(merged)
            }
        }
        for field in ["labels", "annotations"] {
            if let members = generated.value[path: ["metadata", field]]?.objectValue {
                var merged = value[path: ["metadata", field]]?.objectValue ?? [:]
                merged.merge(members) { $1 }
                value[path: ["metadata", field]] = .object(merged)
            }
        }
        if let immutable = generated.value["immutable"] { value["immutable"] = immutable }
        existing.value = value
        existing.needsHashSuffix = existing.needsHashSuffix && generated.needsHashSuffix
    }
}
