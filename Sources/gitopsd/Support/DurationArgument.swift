import ArgumentParser

/// A duration written as Go and kubectl write them: `500ms`, `10s`, `5m`, `1h30m`. A bare number is seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration
    let text: String

    init?(argument: String) {
        guard let duration = Self.parse(argument) else { return nil }
        self.duration = duration
        self.text = argument
    }

    init(_ text: String) {
        self.text = text
        self.duration = Self.parse(text) ?? .zero
    }

    var description: String { text }

    static func parse(_ text: String) -> Duration? {
        if let seconds = Double(text) { return seconds >= 0 ? .milliseconds(Int64(seconds * 1000)) : nil }
        var total: Duration = .zero
        var number = ""
        var index = text.startIndex
        guard !text.isEmpty else { return nil }
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = text.index(after: index)
                continue
            }
            var unit = ""
            while index < text.endIndex, text[index].isLetter {
                unit.append(text[index])
                index = text.index(after: index)
            }
            guard let value = Double(number) else { return nil }
            number = ""
            switch unit {
            case "ms": total += .milliseconds(Int64(value))
            case "s": total += .milliseconds(Int64(value * 1000))
            case "m": total += .milliseconds(Int64(value * 60_000))
            case "h": total += .milliseconds(Int64(value * 3_600_000))
            default: return nil
            }
        }
        return number.isEmpty ? total : nil
    }
}
