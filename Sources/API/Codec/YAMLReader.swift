import CYAML

/// One YAML document read from a file: its value and where each field was written.
struct YAMLDocument: Sendable {
    var value: Value
    var sourceMap: SourceMap
}

/// Reads YAML (and JSON, a subset of it) into `Value` trees, straight from libyaml's event stream.
///
/// This is the only file that talks to libyaml. Nodes are built bottom-up on a stack of frames; every mapping
/// key and list element records its line and column in a `SourceMap`. Anchors are kept per document;
/// an alias inserts the anchored value (shared copy-on-write storage, so cheap) and charges its node count
/// against `maximumAliasNodes`, which stops "billion laughs" documents before anything walks them.
struct YAMLReader {
    struct Limits: Sendable {
        var maximumDepth: Int
        var maximumAliasNodes: Int
    }

    /// A container being built.
    private final class Frame {
        let isMapping: Bool
        let path: String
        let anchor: String?
        var members: [String: Value] = [:]
        var elements: [Value] = []
        /// The key whose value comes next (mappings only); `nil` while expecting a key.
        var key: String?
        var keyPath = ""
        var keyLine: Int32 = 0
        var keyColumn: Int32 = 0
        var keyIsMerge = false
        /// Mappings merged in through `<<`, in order of precedence.
        var merges: [[String: Value]] = []
        /// Nodes in this subtree (aliases counted at their expanded size).
        var nodes = 1

        init(isMapping: Bool, path: String, anchor: String?) {
            self.isMapping = isMapping
            self.path = path
            self.anchor = anchor
        }
    }

    private let file: String
    private let limits: Limits
    private var frames: [Frame] = []
    private var anchors: [String: (value: Value, nodes: Int)] = [:]
    private var positions: [String: SourceMap.Position] = [:]
    private var root: Value?
    private var aliasNodes = 0
    private var documents: [YAMLDocument] = []
    /// Problems that do not stop reading (duplicate keys).
    private var problems: [APIError] = []

    private init(file: String, limits: Limits) {
        self.file = file
        self.limits = limits
    }

    /// Reads every document of `bytes`. Empty documents are skipped.
    /// - Returns: the documents and the non-fatal problems found (duplicate keys).
    /// - Throws: `APIError` `.syntax` for malformed YAML, `.limitExceeded` for depth or alias expansion.
    static func read(_ bytes: [UInt8], file: String, limits: Limits) throws(APIError) -> (
        documents: [YAMLDocument], problems: [APIError]
    ) {
        var reader = YAMLReader(file: file, limits: limits)
        let parser = LibYAMLParser()
        let result: Result<Void, APIError> = bytes.withUnsafeBufferPointer { buffer in
            parser.setInput(buffer)
            do throws(APIError) {
                try reader.run(parser, bytes: buffer)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return (reader.documents, reader.problems)
    }

    private mutating func run(_ parser: LibYAMLParser, bytes: UnsafeBufferPointer<UInt8>) throws(APIError) {
        var event = yaml_event_t()
        while true {
            guard parser.next(&event) else { throw parser.error(file: file, bytes: bytes) }
            defer { yaml_event_delete(&event) }
            let line = Int32(truncatingIfNeeded: event.start_mark.line) + 1
            let column = Int32(truncatingIfNeeded: event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                root = nil
                positions = [:]
                anchors = [:]
            case YAML_DOCUMENT_END_EVENT:
                if let value = root, value != .null {
                    documents.append(YAMLDocument(value: value, sourceMap: SourceMap(file: file, positions: positions)))
                }
                root = nil
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = Self.string(scalar.value, Int(scalar.length))
                let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                let tag = scalar.tag.map { String(cString: $0) }
                if let top = frames.last, top.isMapping, top.key == nil {
                    try beginKey(text, isPlain: isPlain && tag == nil, in: top, line: line, column: column)
                    continue
                }
                let value = try resolve(text, isPlain: isPlain, tag: tag, line: line, column: column)
                let path = beginNode(line: line, column: column)
                _ = path
                if let anchor = scalar.anchor { anchors[String(cString: anchor)] = (value, 1) }
                try add(value, nodes: 1)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                if let top = frames.last, top.isMapping, top.key == nil {
                    throw APIError(
                        .syntax, "a mapping key must be a string, not a \(isMapping ? "mapping" : "list")",
                        location: location(line, column))
                }
                guard frames.count < limits.maximumDepth else {
                    throw APIError(
                        .limitExceeded, "nesting deeper than \(limits.maximumDepth) levels",
                        location: location(line, column))
                }
                let path = beginNode(line: line, column: column)
                let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                frames.append(Frame(isMapping: isMapping, path: path, anchor: anchorPointer.map { String(cString: $0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = frames.popLast() else { continue }
                let value: Value
                if frame.isMapping {
                    for merged in frame.merges {
                        for (key, member) in merged where frame.members[key] == nil { frame.members[key] = member }
                    }
                    value = .object(frame.members)
                } else {
                    value = .array(frame.elements)
                }
                if let anchor = frame.anchor { anchors[anchor] = (value, frame.nodes) }
                try add(value, nodes: frame.nodes)
            case YAML_ALIAS_EVENT:
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard let anchored = anchors[name] else {
                    throw APIError(.syntax, "unknown anchor '\(name)' referenced", location: location(line, column))
                }
                if let top = frames.last, top.isMapping, top.key == nil {
                    // An alias used as a key: only scalars make JSON keys.
                    guard case .string(let key) = anchored.value else {
                        throw APIError(.syntax, "a mapping key must be a string", location: location(line, column))
                    }
                    try beginKey(key, isPlain: false, in: top, line: line, column: column)
                    continue
                }
                aliasNodes += anchored.nodes
                guard aliasNodes <= limits.maximumAliasNodes else {
                    throw APIError(
                        .limitExceeded,
                        "aliases expand to more than \(limits.maximumAliasNodes) nodes (a \"billion laughs\" document?)",
                        location: location(line, column))
                }
                _ = beginNode(line: line, column: column)
                try add(anchored.value, nodes: anchored.nodes)
            default:
                continue
            }
        }
    }

    /// Records the position of a node that starts here and returns its path.
    private mutating func beginNode(line: Int32, column: Int32) -> String {
        guard let top = frames.last else {
            positions[""] = SourceMap.Position(line: line, column: column)
            return ""
        }
        if top.isMapping { return top.keyPath }
        let path = top.path + "[" + String(top.elements.count) + "]"
        positions[path] = SourceMap.Position(line: line, column: column)
        return path
    }

    private mutating func beginKey(_ text: String, isPlain: Bool, in top: Frame, line: Int32, column: Int32)
        throws(APIError)
    {
        if isPlain && text == "<<" {
            top.key = text
            top.keyIsMerge = true
            return
        }
        let key = isPlain ? YAMLScalar.resolveKey(text) : text
        if top.members[key] != nil {
            problems.append(
                APIError(.duplicateKey, "duplicate key \"\(key)\" in a mapping", location: location(line, column)))
        }
        top.key = key
        top.keyIsMerge = false
        var path = top.path
        FieldPath.appendKey(key, to: &path)
        top.keyPath = path
        top.keyLine = line
        top.keyColumn = column
        positions[path] = SourceMap.Position(line: line, column: column)
    }

    private mutating func add(_ value: Value, nodes: Int) throws(APIError) {
        guard let top = frames.last else {
            root = value
            return
        }
        top.nodes += nodes
        if !top.isMapping {
            top.elements.append(value)
            return
        }
        guard let key = top.key else { return }
        top.key = nil
        if top.keyIsMerge {
            switch value {
            case .object(let members):
                top.merges.append(members)
            case .array(let elements):
                for element in elements {
                    guard case .object(let members) = element else {
                        throw APIError(.syntax, "a merge key (<<) takes a mapping or a list of mappings")
                    }
                    top.merges.append(members)
                }
            default:
                throw APIError(.syntax, "a merge key (<<) takes a mapping or a list of mappings")
            }
            return
        }
        if top.members[key] == nil { top.members[key] = value }
    }

    private func resolve(_ text: String, isPlain: Bool, tag: String?, line: Int32, column: Int32) throws(APIError)
        -> Value
    {
        var resolvePlain = isPlain
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str": return .string(text)
            case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null":
                resolvePlain = true
            default: break
            }
        }
        guard resolvePlain else { return .string(text) }
        switch YAMLScalar.resolvePlain(text) {
        case .value(let value): return value
        case .notRepresentable:
            throw APIError(
                .invalidValue, "\(text) (infinity or NaN) cannot be represented in JSON", location: location(line, column))
        }
    }

    private func location(_ line: Int32, _ column: Int32) -> SourceLocation {
        SourceLocation(file: file, line: Int(line), column: Int(column))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}

/// Owns one libyaml parser; freed in `deinit`. The input buffer must outlive parsing (see `YAMLReader.read`).
private final class LibYAMLParser {
    private var parser = yaml_parser_t()

    init() {
        // Only fails when out of memory.
        precondition(yaml_parser_initialize(&parser) == 1, "libyaml could not allocate a parser")
    }

    deinit { yaml_parser_delete(&parser) }

    func setInput(_ buffer: UnsafeBufferPointer<UInt8>) {
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
    }

    /// The next event; `false` on a parse error (read it with `error`).
    func next(_ event: inout yaml_event_t) -> Bool {
        yaml_parser_parse(&parser, &event) == 1
    }

    /// The parser's error, read right after the failing call, as a located `APIError`.
    func error(file: String, bytes: UnsafeBufferPointer<UInt8>) -> APIError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.context.map { String(cString: $0) }
        var mark = parser.problem_mark
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset instead of a mark.
            var line = 0
            var column = 0
            for byte in bytes[0..<min(parser.problem_offset, bytes.count)] {
                if byte == 0x0A { line += 1; column = 0 } else { column += 1 }
            }
            mark.line = line
            mark.column = column
            mark.index = parser.problem_offset
        }
        let location = SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
        if Self.lineHasTabIndentation(bytes, around: mark.index) {
            return APIError(
                .syntax,
                "found a tab character in indentation; YAML indents with spaces only (\(problem))",
                location: location)
        }
        // libyaml gives up on a key written as `key: value` once it is over 1024 characters (the limit YAML sets
        // for implicit keys) and then reports the `:` in words that do not say so: in block mappings "mapping
        // values are not allowed" or "could not find expected ':'", in flow mappings (JSON) "did not find
        // expected ',' or '}'".
        let keyStart: KeyStart?
        switch problem {
        case "mapping values are not allowed in this context": keyStart = .afterIndentation
        case "could not find expected ':'":
            keyStart = parser.context_mark.line == mark.line ? .column(parser.context_mark.column) : .afterIndentation
        case "did not find expected ',' or '}'": keyStart = .beforeColon
        default: keyStart = nil
        }
        if let keyStart, let start = Self.overlongKeyStart(bytes, line: mark.line, colon: mark.column, keyStart) {
            return APIError(
                .limitExceeded,
                "mapping key is longer than \(Self.maximumImplicitKeyLength) characters, the most YAML allows "
                    + "for a key written as `key: value`",
                location: SourceLocation(file: file, line: mark.line + 1, column: start + 1))
        }
        var message = problem
        if let context { message = "\(problem) (\(context) at line \(parser.context_mark.line + 1))" }
        return APIError(.syntax, message, location: location)
    }

    /// libyaml's `YAML_SIMPLE_KEY_MAX_LENGTH`: how far (in characters) a `:` may follow the start of its key.
    static let maximumImplicitKeyLength = 1024

    /// How to find where a key starts on its line.
    enum KeyStart {
        /// libyaml said where (a 0-based column).
        case column(Int)
        /// A block mapping's key: after the indentation and any `- ` or `? ` indicators.
        case afterIndentation
        /// A flow mapping's key: the quoted string, or the plain run of characters, that ends at the `:`.
        case beforeColon
    }

    /// Where (the 0-based column of) the key that ends at the `:` in column `colon` of `line` starts, when that
    /// key is over the implicit-key limit; nil when it is not, or when no single key ends there (`a: b: c`).
    /// Lines and columns count characters, as libyaml's marks do.
    static func overlongKeyStart(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, colon: Int, _ keyStart: KeyStart)
        -> Int?
    {
        var lineStart = 0
        for _ in 0..<line {
            guard let newline = bytes[lineStart...].firstIndex(of: 0x0A) else { return nil }
            lineStart = newline + 1
        }
        let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
        let text = Array(
            String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self).unicodeScalars)
        guard colon > 0, colon < text.count, text[colon] == ":" else { return nil }
        var start: Int
        switch keyStart {
        case .column(let column):
            start = column
        case .afterIndentation:
            start = 0
            while start < colon {
                if text[start] == " " {
                    start += 1
                } else if text[start] == "-" || text[start] == "?", start + 1 < colon, text[start + 1] == " " {
                    start += 2
                } else {
                    break
                }
            }
        case .beforeColon:
            start = colon - 1
            if text[start] == "\"" || text[start] == "'" {
                let quote = text[start]
                guard let opening = text[0..<start].lastIndex(of: quote) else { return nil }
                start = opening
            } else {
                while start > 0, !" \t{,[".unicodeScalars.contains(text[start - 1]) { start -= 1 }
            }
        }
        guard start < colon, colon - start > maximumImplicitKeyLength else { return nil }
        for index in start..<(colon - 1) where text[index] == ":" && text[index + 1] == " " { return nil }
        return start
    }

    /// Whether the line holding byte `index` starts with whitespace that contains a tab.
    private static func lineHasTabIndentation(_ bytes: UnsafeBufferPointer<UInt8>, around index: Int) -> Bool {
        guard index <= bytes.count else { return false }
        var start = min(index, bytes.count)
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        var cursor = start
        while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 {
            if bytes[cursor] == 0x09 { return true }
            cursor += 1
        }
        return false
    }
}
