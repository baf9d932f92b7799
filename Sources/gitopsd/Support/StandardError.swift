import Foundation

/// Writes a line to standard error (progress, warnings and problems go there; results to standard output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
