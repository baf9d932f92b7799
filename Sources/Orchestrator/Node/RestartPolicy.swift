/// When a pod's containers are restarted after they exit (`spec.restartPolicy`; Kubernetes default `Always`).
public enum RestartPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Restart after any exit (Deployments and ReplicaSets require this).
    case always = "Always"
    /// Restart only after a failure (a non-zero exit, a signal, or an unknown status).
    case onFailure = "OnFailure"
    /// Never restart.
    case never = "Never"

    /// Whether a container that ended with `status` is started again.
    public func shouldRestart(after status: ProcessExitStatus) -> Bool {
        switch self {
        case .always: true
        case .onFailure: !status.isSuccess
        case .never: false
        }
    }
}
