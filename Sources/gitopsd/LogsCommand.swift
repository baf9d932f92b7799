import ArgumentParser
import Foundation
import Orchestrator

/// `gitopsd logs POD [-n NS] [-c CONTAINER] [-f] [--previous] [--tail N]`: a container's logs, as kubectl prints
/// them.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the logs of a container in a pod.",
        discussion: """
            Reads the log files the node agent writes under DATA-DIR/logs (stdout and stderr together). \
            -c is required when the pod has more than one container.
            """)

    @Argument(help: "The pod's name.")
    var pod: String

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The pod's namespace.")
    var namespace: String = "default"

    @Option(name: [.customShort("c"), .customLong("container")], help: "The container.")
    var container: String?

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new lines until interrupted.")
    var follow = false

    @Flag(name: [.customShort("p"), .customLong("previous")], help: "The logs of the previous run.")
    var previous = false

    @Option(help: "Only the last N lines (-1: all).")
    var tail: Int = -1

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func validate() throws {
        if follow && previous { throw ValidationError("--follow and --previous cannot be combined") }
    }

    func run() async throws {
        let store = try dataDirectory.openStore()
        let logs: ContainerLogs
        do {
            logs = try await PodLogs(dataDirectory: dataDirectory.dataDirectory).logs(
                store: store, pod: pod, namespace: namespace, container: container)
        } catch let error as NodeError {
            throw Self.fail(error.message)
        }
        let lines = tail >= 0 ? tail : nil
        if follow {
            // A pod's own output is passed through unchanged, as kubectl logs does.
            for try await line in logs.follow(tail: lines) { Swift.print(line) }
            return
        }
        var text: String
        do throws(NodeError) {
            text = previous ? try logs.previous() : try logs.read()
        } catch  where error.code == .notFound {
            if previous {
                throw Self.fail(
                    "Error from server (BadRequest): previous terminated container \"\(logs.container)\" in pod "
                        + "\"\(pod)\" not found")
            }
            text = ""  // created but not started yet: no output, like kubectl
        } catch {
            throw CLIError(error.description)
        }
        if let lines { text = Self.lastLines(of: text, count: lines) }
        Swift.print(text, terminator: "")
    }

    /// Prints a message exactly as kubectl does (no `Error:` prefix) on standard error; returns exit code 1.
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode.failure
    }

    /// The last `count` lines of `text`, newline-terminated.
    static func lastLines(of text: String, count: Int) -> String {
        guard count > 0 else { return "" }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.suffix(count).map { $0 + "\n" }.joined()
    }
}
