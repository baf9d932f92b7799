public import API

/// The `pod-template-hash` label value: a short, deterministic name suffix for a Deployment's ReplicaSet.
///
/// Kubernetes hashes a Go-specific dump of the template, which cannot be reproduced outside Go; what matters
/// to users is the shape (up to ten characters from an alphabet without vowels, so no words appear) and the
/// determinism (the same template and collision count always give the same name). We hash the template's
/// canonical JSON with FNV-32a, as Kubernetes uses FNV-32a.
public enum PodTemplateHash {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// The hash of a pod template (`spec.template` as a value) and the Deployment's `collisionCount`.
    public static func compute(template: Value, collisionCount: Int? = nil) -> String {
        var hash: UInt32 = 2_166_136_261
        func mix(_ byte: UInt8) {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        for byte in template.jsonBytes { mix(byte) }
        if let collisionCount {
            var count = UInt32(truncatingIfNeeded: collisionCount).littleEndian
            withUnsafeBytes(of: &count) { for byte in $0 { mix(byte) } }
            for _ in 0..<4 { mix(0) }
        }
        return String(decoding: String(hash).utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }
}
