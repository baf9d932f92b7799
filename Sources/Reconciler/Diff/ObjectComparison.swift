public import API

/// Decides whether a live object matches its desired form, and renders both for a diff.
///
/// Both sides are put in canonical form first (defaults applied, server metadata and status removed), and
/// what the cluster owns is carried from live into desired, so only differences a manifest can cause count.
/// gitopsd's own per-commit marks (`gitopsd.io/commit`, `kubernetes.io/change-cause`) are left out too:
/// a commit that does not touch an object must not rewrite it.
public enum ObjectComparison {
    /// Annotations that change with every commit and so never make an object out of sync by themselves.
    static let perCommitAnnotations = [
        WellKnown.Annotations.commit, WellKnown.Annotations.author, WellKnown.Annotations.commitTime, ManagedBy.changeCauseAnnotation,
    ]

    /// Whether `live` already is what `desired` asks for.
    public static func isInSync(live: Value, desired: Value) -> Bool {
        let (left, right) = comparable(live: live, desired: desired)
        return left == right
    }

    /// The two sides as they are compared and shown: canonical, server-owned fields aligned, per-commit
    /// annotations removed.
    public static func comparable(live: Value?, desired: Value?) -> (live: Value?, desired: Value?) {
        let normalizedLive = live.map(normalize)
        var normalizedDesired = desired.map(normalize)
        if let liveValue = normalizedLive, let desiredValue = normalizedDesired {
            normalizedDesired = normalize(ServerOwnedFields.carryOver(from: liveValue, into: desiredValue))
        }
        return (normalizedLive, normalizedDesired)
    }

    /// Canonical form without the server-owned annotations and per-commit marks.
    static func normalize(_ object: Value) -> Value {
        var value = (try? TypedObject(object))?.canonicalValue ?? object
        if var annotations = value[path: ["metadata", "annotations"]]?.objectValue {
            for key in annotations.keys
            where perCommitAnnotations.contains(key) || ServerOwnedFields.isServerAnnotation(key) {
                annotations[key] = nil
            }
            value[path: ["metadata", "annotations"]] = annotations.isEmpty ? nil : .object(annotations)
        }
        return value
    }

    /// A unified diff of one object, Secret values masked; empty when the two sides are equal.
    /// - Parameters:
    ///   - label: Names the object in the `---`/`+++` lines (e.g. `Deployment/shop/web`).
    ///   - color: ANSI colours, for terminals.
    public static func diff(live: Value?, desired: Value?, label: String, color: Bool = false) -> String {
        let (left, right) = comparable(live: live, desired: desired)
        let masked = SecretMasker.mask(live: left, desired: right)
        let old = masked.live.map { lines($0.yamlString) } ?? []
        let new = masked.desired.map { lines($0.yamlString) } ?? []
        return LineDiff(old: old, new: new).unified(
            oldLabel: live == nil ? "/dev/null" : "live/\(label)",
            newLabel: desired == nil ? "/dev/null" : "desired/\(label)", color: color)
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
