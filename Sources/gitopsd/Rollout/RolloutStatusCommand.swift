import API
import ArgumentParser
import Orchestrator

/// `gitopsd rollout status deployment/NAME`: waits for the rollout to finish, printing kubectl's progress lines.
struct RolloutStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the status of the rollout and wait for it to finish.",
        discussion: """
            Exits 0 once the deployment has successfully rolled out, 1 when it exceeds its progress deadline, \
            is deleted, or --timeout passes first.
            """)

    @OptionGroup var options: DeploymentTargetOptions

    @Option(help: "Stop waiting after this long (e.g. 30s, 5m; 0 waits forever).")
    var timeout: GoDuration = GoDuration(seconds: 0)

    @Option(help: "Pin to a specific revision; fail if another one is running.")
    var revision: Int?

    @Flag(name: .customLong("watch"), inversion: .prefixedNo, help: "Watch the rollout until it finishes.")
    var watch = true

    func run() async throws {
        let store = try options.data.openStore()
        let key = options.key
        let revision = self.revision
        let watch = self.watch
        let work: @Sendable () async throws -> Void = {
            var printer = LinePrinter()
            let list = try await store.list(kind: "Deployment", namespace: key.namespace)
            guard let value = list.items.first(where: { $0[path: ["metadata", "name"]]?.stringValue == key.name })
            else {
                throw CLIError("deployments.apps \"\(key.name)\" not found")
            }
            if try Self.report(value, revision: revision, &printer) || !watch { return }
            let stream = try await store.watch(
                ObjectFilter(kind: "Deployment", namespace: key.namespace), from: list.revision)
            for try await event in stream where event.key.name == key.name {
                if event.type == .deleted { throw CLIError("object has been deleted") }
                if try Self.report(event.object, revision: revision, &printer) { return }
            }
        }
        guard timeout.seconds > 0 else { return try await work() }
        let limit = timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .seconds(limit.seconds))
                throw CLIError("timed out waiting for the condition")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Prints the deployment's status line (when it changed); returns whether the rollout is complete.
    static func report(_ value: Value, revision: Int?, _ printer: inout LinePrinter) throws -> Bool {
        let deployment: Deployment
        do { deployment = try Deployment(value) } catch { throw CLIError("\(error)") }
        do {
            let report = try Rollout.status(of: deployment, revision: revision)
            printer.print(report.message)
            return report.isComplete
        } catch {
            throw CLIError(error.message)
        }
    }
}

/// Prints a line unless it repeats the previous one (a status update that changes nothing kubectl shows).
struct LinePrinter {
    private var last: String?

    mutating func print(_ line: String) {
        guard line != last else { return }
        last = line
        printResult(line)
    }
}
