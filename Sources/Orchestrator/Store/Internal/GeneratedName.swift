import API

/// `metadata.generateName`: the store names an object that asks for it, as the API server does, so every writer
/// gets unique names without guessing and retrying itself.
enum GeneratedName {
    /// Kubernetes' `maxGeneratedNameLength`: the prefix is cut to this so the name stays within 63 characters.
    static let maximumPrefixLength = 58
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `prefix` (cut to 58 characters) and five random characters of Kubernetes' `utilrand` alphabet (no vowels,
    /// no confusable digits).
    static func make(prefix: String) -> String {
        let cut = prefix.count > maximumPrefixLength ? String(prefix.prefix(maximumPrefixLength)) : prefix
        return cut + String((0..<5).map { _ in alphabet.randomElement() ?? "x" })
    }

    /// `object` with a generated name when it has none and asks for one; unchanged otherwise.
    /// - Parameter isTaken: whether a candidate name is in use; a few candidates are tried, as the API server
    ///   retries a collision.
    static func assign(to object: Value, isTaken: (String) throws -> Bool) throws -> Value {
        guard ObjectMetadata.string(object, "name")?.isEmpty ?? true,
            let prefix = ObjectMetadata.string(object, "generateName"), !prefix.isEmpty
        else { return object }
        var named = object
        for _ in 0..<8 {
            let name = make(prefix: prefix)
            if try !isTaken(name) {
                named[path: ["metadata", "name"]] = .string(name)
                return named
            }
        }
        throw StoreError(
            .alreadyExists, "no free name for generateName \"\(prefix)\" after 8 tries; use a longer prefix")
    }
}
