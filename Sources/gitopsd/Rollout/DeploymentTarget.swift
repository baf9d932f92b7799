import API
import ArgumentParser
import Orchestrator

/// `deployment/NAME` (or `deploy/NAME`, `deployments/NAME`, `deployments.apps/NAME`), as kubectl takes it.
struct DeploymentReference: ExpressibleByArgument, Sendable {
    var name: String

    init?(argument: String) {
        let parts = argument.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, ResourceKind.lookup(String(parts[0])) == .deployment else {
            return nil
        }
        name = String(parts[1])
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// The Deployment a `rollout`/`scale` command acts on, its namespace, and the data directory holding the store.
struct DeploymentTargetOptions: ParsableArguments {
    @Argument(help: "The deployment: deployment/NAME (also deploy/NAME, deployments/NAME).")
    var target: DeploymentReference

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The namespace.")
    var namespace: String = "default"

    @OptionGroup var data: DataDirectoryOptions

    /// The Deployment's store key.
    var key: ObjectKey { ObjectKey(kind: "Deployment", namespace: namespace, name: target.name) }

    /// `deployment.apps/NAME`: how kubectl names the object in its messages.
    var displayName: String { "deployment.apps/\(target.name)" }

    /// Turns a rollout error into the one-line message kubectl prints (`deployments.apps "web" is already
    /// paused` for state errors, the message itself otherwise).
    func failure(_ error: RolloutError) -> CLIError {
        switch error.code {
        case .invalidState where error.message.hasPrefix("is ") || error.message.hasPrefix("can't"):
            CLIError("deployments.apps \"\(target.name)\" \(error.message)")
        default:
            CLIError(error.message)
        }
    }
}
