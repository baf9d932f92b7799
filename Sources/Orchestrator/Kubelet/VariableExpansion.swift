/// Kubernetes' `$(VAR)` expansion for `env[].value`, `command` and `args`.
///
/// `$(NAME)` is replaced by the variable's value when `lookup` knows it and left as written otherwise; `$$`
/// is an escaped `$`; a `$` before anything else, or an unterminated `$(`, stays as it is. Works on bytes, as
/// the kubelet's implementation does.
public enum VariableExpansion {
    /// Expands `$(NAME)` references in `input`.
    ///
    /// - Parameters:
    ///   - input: the text to expand.
    ///   - lookup: a variable's value, or nil when the variable is not defined.
    public static func expand(_ input: String, lookup: (String) -> String?) -> String {
        let bytes = Array(input.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var checkpoint = 0
        var cursor = 0
        while cursor < bytes.count {
            if bytes[cursor] == UInt8(ascii: "$"), cursor + 1 < bytes.count {
                output.append(contentsOf: bytes[checkpoint..<cursor])
                let next = bytes[cursor + 1]
                var advance = 1
                if next == UInt8(ascii: "$") {
                    output.append(UInt8(ascii: "$"))
                } else if next == UInt8(ascii: "(") {
                    if let close = bytes[(cursor + 2)...].firstIndex(of: UInt8(ascii: ")")) {
                        let name = String(decoding: bytes[(cursor + 2)..<close], as: UTF8.self)
                        if let value = lookup(name) {
                            output.append(contentsOf: value.utf8)
                        } else {
                            output.append(contentsOf: "$(\(name))".utf8)
                        }
                        advance = close - cursor
                    } else {
                        output.append(contentsOf: "$(".utf8)
                    }
                } else {
                    output.append(UInt8(ascii: "$"))
                    output.append(next)
                }
                cursor += advance
                checkpoint = cursor + 1
            }
            cursor += 1
        }
        if checkpoint < bytes.count { output.append(contentsOf: bytes[checkpoint...]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Expands with a dictionary of defined variables.
    public static func expand(_ input: String, variables: [String: String]) -> String {
        expand(input) { variables[$0] }
    }
}
