import API
import Foundation

/// Reading and writing the metadata the store owns, on untyped objects.
enum ObjectMetadata {
    static func string(_ object: Value, _ field: String) -> String? {
        object[path: ["metadata", field]]?.stringValue
    }

    static func labels(_ object: Value) -> [String: String] {
        object[path: ["metadata", "labels"]]?.stringMap ?? [:]
    }

    /// The uids in `metadata.ownerReferences`, in order, without empties.
    static func ownerUIDs(_ object: Value) -> [String] {
        guard let references = object[path: ["metadata", "ownerReferences"]]?.arrayValue else { return [] }
        return references.compactMap { reference in
            guard let uid = reference["uid"]?.stringValue, !uid.isEmpty else { return nil }
            return uid
        }
    }

    static func generation(_ object: Value) -> Int64 {
        object[path: ["metadata", "generation"]]?.intValue ?? 0
    }

    /// The fields that count as the object's desired state: every top-level field but `apiVersion`, `kind`,
    /// `metadata` and `status` — `spec` for most kinds, `data`/`binaryData`/`type`/`immutable` for
    /// ConfigMaps and Secrets.
    static func desiredState(_ object: Value) -> [String: Value] {
        var members = object.objectValue ?? [:]
        for field in ["apiVersion", "kind", "metadata", "status"] { members[field] = nil }
        return members
    }

    /// RFC 3339 in UTC with second precision, as Kubernetes writes `creationTimestamp`.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }
}
