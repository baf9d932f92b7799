/// The string form of label selectors, as `kubectl get -l` takes it:
/// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a` (exists), `!a` (does not exist), comma-separated.
extension LabelSelector {
    /// Parses a selector string. The empty string selects everything.
    /// - Throws: `APIError` with code `.invalidSelector` and the offending position in the message.
    public init(parsing text: String) throws(APIError) {
        var scanner = SelectorScanner(text: text)
        var requirements: [Requirement] = []
        scanner.skipSpaces()
        if scanner.atEnd {
            self.init()
            return
        }
        while true {
            requirements.append(try scanner.requirement())
            scanner.skipSpaces()
            if scanner.atEnd { break }
            try scanner.expect(",")
        }
        self.init(matchExpressions: requirements)
    }
}

/// A cursor over a selector string; one requirement at a time.
private struct SelectorScanner {
    let characters: [Character]
    let text: String
    var position = 0

    init(text: String) {
        self.text = text
        self.characters = Array(text)
    }

    var atEnd: Bool { position >= characters.count }

    mutating func skipSpaces() {
        while !atEnd, characters[position] == " " { position += 1 }
    }

    mutating func requirement() throws(APIError) -> LabelSelector.Requirement {
        skipSpaces()
        if !atEnd, characters[position] == "!" {
            position += 1
            skipSpaces()
            return LabelSelector.Requirement(key: try word(what: "label key"), operator: .doesNotExist)
        }
        let key = try word(what: "label key")
        skipSpaces()
        if atEnd || characters[position] == "," {
            return LabelSelector.Requirement(key: key, operator: .exists)
        }
        if consume("==") || consume("=") {
            skipSpaces()
            return LabelSelector.Requirement(key: key, operator: .in, values: [try value()])
        }
        if consume("!=") {
            skipSpaces()
            return LabelSelector.Requirement(key: key, operator: .notIn, values: [try value()])
        }
        let keyword = try word(what: "operator")
        let op: LabelSelector.Operator
        switch keyword {
        case "in": op = .in
        case "notin": op = .notIn
        default: throw failure("unknown operator '\(keyword)' (expected =, ==, !=, in, notin)")
        }
        skipSpaces()
        try expect("(")
        var values: [String] = []
        while true {
            skipSpaces()
            if consume(")") { break }
            values.append(try value())
            skipSpaces()
            if consume(")") { break }
            try expect(",")
        }
        if values.isEmpty { throw failure("'\(keyword)' needs at least one value") }
        return LabelSelector.Requirement(key: key, operator: op, values: values)
    }

    /// A label value: may be empty (`a=`), made of the characters label values allow.
    mutating func value() throws(APIError) -> String {
        let start = position
        while !atEnd, Self.isWordCharacter(characters[position]) { position += 1 }
        return String(characters[start..<position])
    }

    mutating func word(what: String) throws(APIError) -> String {
        let start = position
        while !atEnd, Self.isWordCharacter(characters[position]) { position += 1 }
        guard position > start else { throw failure("expected a \(what)") }
        return String(characters[start..<position])
    }

    mutating func consume(_ literal: String) -> Bool {
        let literalCharacters = Array(literal)
        guard position + literalCharacters.count <= characters.count,
            Array(characters[position..<(position + literalCharacters.count)]) == literalCharacters
        else { return false }
        position += literalCharacters.count
        return true
    }

    mutating func expect(_ literal: String) throws(APIError) {
        guard consume(literal) else { throw failure("expected '\(literal)'") }
    }

    func failure(_ message: String) -> APIError {
        APIError(.invalidSelector, "invalid selector \"\(text)\" at column \(position + 1): \(message)")
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_./".contains(character))
    }
}
