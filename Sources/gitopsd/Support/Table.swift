import API

/// Prints rows as kubectl does: upper-case headers, columns padded to their widest cell, three spaces apart.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    /// Adds a row; control characters in its cells (a newline or ESC in a commit subject) are escaped, so a
    /// cell stays on its line and cannot drive the terminal.
    mutating func append(_ row: [String]) {
        rows.append(row.map { ControlCharacters.escaped($0) })
    }

    /// The table as text, one line per row, without trailing spaces.
    func render() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column] + 3)
            }.joined()
        }.joined(separator: "\n")
    }
}

extension String {
    /// The string padded with spaces on the right to `length` characters (never cut).
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
