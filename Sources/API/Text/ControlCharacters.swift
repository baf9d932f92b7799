/// Text that came from a repository (file names, commit subjects, manifest values, error messages quoting them)
/// made safe to print on a terminal or to write as one log line.
///
/// A terminal acts on control characters: ESC starts sequences that move the cursor, recolour, retitle the window
/// or (in some terminals) answer back; a newline in a file name forges a new log line. So before such text is
/// shown, every control character becomes a visible escape: `\n`, `\r`, `\t`, `\x1b`, `\u{9b}`.
public enum ControlCharacters {
    /// `text` with every C0 control, DEL and C1 control written as an escape, except those in `kept`
    /// (for example `["\n"]` for multi-line output). A backslash is left alone, so ordinary text is unchanged.
    public static func escaped(_ text: String, keeping kept: Set<Unicode.Scalar> = []) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !kept.contains($0) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar), !kept.contains(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                result += scalar.value < 0x80 ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
        }
        return result
    }

    /// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
