import API
import Foundation

/// Writes a line to standard error (progress, warnings and problems go there; results to standard output), with
/// control characters but newlines escaped: errors quote file names and commit subjects from repositories.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((ControlCharacters.escaped(line, keeping: ["\n"]) + "\n").utf8))
}
