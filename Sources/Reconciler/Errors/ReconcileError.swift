public import API

/// The one error type of the Reconciler: what went wrong with a sync, and what the loop does about it.
public struct ReconcileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The commit's manifests do not load or validate; `problems` has each with its location.
        case invalidManifests
        /// The commit has no manifests under the path (refused unless empty syncs are allowed).
        case emptySource
        /// An object in the commit exists but gitopsd does not manage it, or another source does.
        case conflict
        /// Reading the source (git) failed.
        case source
        /// Writing to the cluster failed.
        case apply
        /// The sync history could not be written or read.
        case history
        /// `--wait` gave up: objects were still unhealthy at the timeout.
        case unhealthy
    }

    /// What the reconcile loop should do after this error.
    public enum NextStep: String, Sendable, Hashable, Codable {
        /// A transient failure: try the same commit again with back-off.
        case retry
        /// The commit itself is wrong: keep the last good state and wait for a new commit.
        case waitForChange
        /// Nothing will fix itself: report and stop.
        case stop
    }

    public var code: Code
    public var message: String
    public var next: NextStep
    /// Manifest problems, each with file, line, column, object and field.
    public var problems: [APIError]

    public init(_ code: Code, _ message: String, next: NextStep, problems: [APIError] = []) {
        self.code = code
        self.message = message
        self.next = next
        self.problems = problems
    }

    /// The message, then one line per manifest problem.
    public var description: String {
        ([message] + problems.map(\.description)).joined(separator: "\n")
    }
}
