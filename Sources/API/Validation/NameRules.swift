/// The name and label syntax rules of Kubernetes (apimachinery `pkg/util/validation`). Each returns the
/// problems with `value` (empty when valid), worded like Kubernetes' messages.
enum NameRules {
    private static func isLowerAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
    private static func isAlnum(_ b: UInt8) -> Bool {
        isLowerAlnum(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 63 { problems.append("must be no more than 63 characters") }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
            || !isLowerAlnum(bytes.first!) || !isLowerAlnum(bytes.last!)
        {
            problems.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
            )
        }
        return problems
    }

    /// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters (Service names).
    static func dns1035Label(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 63 { problems.append("must be no more than 63 characters") }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
            || !(bytes.first! >= UInt8(ascii: "a") && bytes.first! <= UInt8(ascii: "z")) || !isLowerAlnum(bytes.last!)
        {
            problems.append(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')"
            )
        }
        return problems
    }

    /// Dot-separated DNS-1123 labels, at most 253 characters.
    static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append("must be no more than 253 characters") }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        if value.isEmpty || labels.contains(where: { !dns1123Label(String($0)).filter { !$0.hasPrefix("must be no") }.isEmpty }) {
            problems.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
            )
        }
        return problems
    }

    /// A label or annotation key: `[prefix/]name`.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        var name = value
        var problems: [String] = []
        if parts.count == 2 {
            let prefix = String(parts[0])
            name = String(parts[1])
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dns1123Subdomain(prefix).map { "prefix part \($0)" }
            }
        } else if parts.count > 2 {
            return [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else {
            if name.utf8.count > 63 { problems.append("name part must be no more than 63 characters") }
            if !isLabelText(name) {
                problems.append(
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"
                )
            }
        }
        return problems
    }

    /// A label value: empty, or up to 63 characters of `[A-Za-z0-9._-]` starting and ending alphanumeric.
    static func labelValue(_ value: String) -> [String] {
        if value.isEmpty { return [] }
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append("must be no more than 63 characters") }
        if !isLabelText(value) {
            problems.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
            )
        }
        return problems
    }

    private static func isLabelText(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// IANA service name: at most 15 characters of `[-a-z0-9]`, at least one letter, no `--`, no edge `-`.
    static func ianaServiceName(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 15 { problems.append("must be no more than 15 characters") }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if value.contains("--") { problems.append("must not contain consecutive hyphens") }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            problems.append("must contain at least one letter (a-z)")
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            problems.append("must not begin or end with a hyphen")
        }
        return problems
    }

    /// A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253, not `.`/`..`, not starting with `..`.
    static func configMapKey(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append("must be no more than 253 characters") }
        if value.isEmpty
            || !value.utf8.allSatisfy({
                isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            })
        {
            problems.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name')")
        }
        if value == "." || value == ".." { problems.append("must not be '.' or '..'") } else if value.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }

    /// An environment variable name: any printable ASCII but `=` (Kubernetes' relaxed rule).
    static func envVarName(_ value: String) -> [String] {
        if value.isEmpty { return ["must be non-empty"] }
        if !value.utf8.allSatisfy({ $0 >= 32 && $0 <= 126 && $0 != UInt8(ascii: "=") }) {
            return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
        }
        return []
    }

    /// Whether `value` is a dotted-quad IPv4 address or contains `:` (IPv6): hosts that must not be IPs.
    static func isIPAddress(_ value: String) -> Bool {
        if value.contains(":") { return true }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
