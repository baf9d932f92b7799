import API
import Foundation

/// Writes a result to standard output with control characters escaped, keeping newlines and tabs.
///
/// Every command prints its results through this: they can carry text from a repository (a commit subject with
/// ESC and BEL in it, a file name), and none of it may drive the user's terminal. The few outputs that are not
/// repository text and need control characters (coloured diffs, a pod's own log stream, passed through as kubectl
/// does) call `Swift.print` and say why.
func printResult(_ text: String = "", terminator: String = "\n") {
    Swift.print(ControlCharacters.escaped(text, keeping: ["\n", "\t"]), terminator: terminator)
}
