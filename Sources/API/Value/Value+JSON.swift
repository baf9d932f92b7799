/// JSON encoding of `Value`, written by hand because it is on every hot path (store writes, diffs, canonical
/// form) and must be byte-stable: object keys are always sorted, so equal values give equal bytes.
extension Value {
    /// Compact JSON with keys sorted by their UTF-8 bytes.
    public var jsonBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        appendJSON(to: &output)
        return output
    }

    /// Compact JSON with keys sorted, as a string.
    public var jsonString: String {
        String(decoding: jsonBytes, as: UTF8.self)
    }

    /// Parses JSON text.
    /// - Throws: `APIError` with code `.syntax` naming the byte offset's line and column.
    public init(json bytes: some Collection<UInt8>, file: String = "<json>") throws(APIError) {
        self = try JSONParser.parse(Array(bytes), file: file)
    }

    /// Parses JSON text given as a string.
    public init(json string: String, file: String = "<json>") throws(APIError) {
        try self.init(json: Array(string.utf8), file: file)
    }

    func appendJSON(to output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let bool):
            output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int):
            output.append(contentsOf: String(int).utf8)
        case .double(let double):
            if double.isFinite {
                if double.rounded() == double && abs(double) < 1e15 {
                    output.append(contentsOf: String(Int64(double)).utf8)
                } else {
                    output.append(contentsOf: "\(double)".utf8)
                }
            } else {
                output.append(contentsOf: "null".utf8)
            }
        case .string(let string):
            Value.appendJSONString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.appendJSON(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { Value.utf8Less($0.key, $1.key) }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Value.appendJSONString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.appendJSON(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Orders strings by their UTF-8 bytes, which is what Go's encoding/json does for map keys.
    static func utf8Less(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    static func appendJSONString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
