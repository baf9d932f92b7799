import API
import Testing

@Suite struct ControlCharactersTests {
    @Test(arguments: [
        ("plain text, unchanged: ü ✓ \\ 100%", "plain text, unchanged: ü ✓ \\ 100%"),
        ("a\nb\r\tc", #"a\nb\r\tc"#),
        ("\u{1B}]0;title\u{07}", #"\x1b]0;title\x07"#),
        ("nul\u{0}del\u{7F}", #"nul\x00del\x7f"#),
        ("c1 csi\u{9B}31m", #"c1 csi\u{9b}31m"#),
    ])
    func escapesEveryControlCharacter(input: String, expected: String) {
        #expect(ControlCharacters.escaped(input) == expected)
    }

    @Test func keepsWhatTheCallerAsksFor() {
        #expect(ControlCharacters.escaped("one\ntwo\u{1B}[2K", keeping: ["\n"]) == #"one"# + "\n" + #"two\x1b[2K"#)
    }
}
