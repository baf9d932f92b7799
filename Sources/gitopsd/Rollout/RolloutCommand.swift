import ArgumentParser

/// `gitopsd rollout`: manage the rollout of a Deployment, as `kubectl rollout` does.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Manage the rollout of a deployment.",
        discussion: """
            These commands read and write the store in --data-dir directly; the daemon beside them (gitopsd \
            serve) runs the controllers that carry the rollout out.
            """,
        subcommands: [
            RolloutStatusCommand.self, RolloutHistoryCommand.self, RolloutUndoCommand.self, RolloutPauseCommand.self,
            RolloutResumeCommand.self, RolloutRestartCommand.self,
        ])
}
