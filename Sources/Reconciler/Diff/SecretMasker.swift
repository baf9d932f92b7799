public import API

/// Hides Secret values before anything is shown or logged, while still showing *that* a value changed.
///
/// Each value becomes a run of `*`; a key whose value differs between the two sides gets a different
/// run on each side (as Argo CD does with `+`), so a diff reveals which keys changed and nothing else.
/// Lengths do not depend on the secret, so nothing about its content leaks.
public enum SecretMasker {
    static let same = "********"
    static let before = "******** (old)"
    static let after = "******** (new)"

    /// Masks a Secret's `data` and `stringData` on both sides of a diff; non-Secrets are returned as given.
    public static func mask(live: Value?, desired: Value?) -> (live: Value?, desired: Value?) {
        guard isSecret(live) || isSecret(desired) else { return (live, desired) }
        var maskedLive = live
        var maskedDesired = desired
        for field in ["data", "stringData"] {
            let liveMap = live?[field]?.objectValue ?? [:]
            let desiredMap = desired?[field]?.objectValue ?? [:]
            var liveOut: [String: Value] = [:]
            var desiredOut: [String: Value] = [:]
            for key in Set(liveMap.keys).union(desiredMap.keys) {
                let changed = liveMap[key] != desiredMap[key]
                if liveMap[key] != nil { liveOut[key] = .string(changed ? before : same) }
                if desiredMap[key] != nil { desiredOut[key] = .string(changed ? after : same) }
            }
            if live?[field] != nil { maskedLive?[field] = .object(liveOut) }
            if desired?[field] != nil { maskedDesired?[field] = .object(desiredOut) }
        }
        maskedLive = maskedLive.map(maskLastApplied)
        maskedDesired = maskedDesired.map(maskLastApplied)
        return (maskedLive, maskedDesired)
    }

    /// Masks one object on its own (for `get -o yaml`, logs, events).
    public static func mask(_ object: Value) -> Value {
        mask(live: object, desired: nil).live ?? object
    }

    private static func isSecret(_ value: Value?) -> Bool {
        value?["kind"]?.stringValue == "Secret"
    }

    /// `kubectl apply` keeps the whole object in an annotation; for a Secret that is the secret itself.
    private static func maskLastApplied(_ object: Value) -> Value {
        var object = object
        let path = ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]
        if object[path: path] != nil { object[path: path] = .string(same) }
        return object
    }
}
