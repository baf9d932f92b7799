import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

/// Whether `pid` is gone or a zombie (no longer running).
func isNotRunning(_ pid: Int32) -> Bool {
    guard let stat = ProcStat.read(pid) else { return true }
    return stat.state == "Z" || stat.state == "X"
}

/// A runtime writing logs under a fresh temporary directory, with short test timings.
func makeRuntime(
    _ directory: TemporaryDirectory, grace: Duration = .seconds(5), logSizeLimit: Int = 10 * 1024 * 1024
) -> ProcessRuntime {
    ProcessRuntime(
        configuration: .init(
            logsDirectory: directory.path + "/logs", logSizeLimit: logSizeLimit,
            logRotationInterval: .milliseconds(50), defaultGracePeriod: grace, podUser: nil))
}

/// A container `test/<pod>/<name>` running `sh -c script`.
func shellSpec(
    _ script: String, pod: String = "pod", name: String = "main", environment: [EnvironmentVariable] = [],
    workingDirectory: String? = nil
) -> ContainerSpec {
    ContainerSpec(
        id: ContainerID(namespace: "test", pod: pod, container: name), command: ["sh", "-c"], args: [script],
        environment: environment, workingDirectory: workingDirectory)
}

/// Waits for a container to exit and returns its exit.
func awaitExit(_ runtime: ProcessRuntime, _ id: ContainerID) async -> ContainerExit? {
    var exit: ContainerExit?
    _ = await eventually {
        if case .exited(_, let finished) = await runtime.state(of: id) {
            exit = finished
            return true
        }
        return false
    }
    return exit
}

/// Waits until the container's log contains `text`.
func awaitLog(_ runtime: ProcessRuntime, _ id: ContainerID, contains text: String) async -> Bool {
    await eventually { ((try? runtime.logs(for: id).read()) ?? "").contains(text) }
}

/// Whether a python3 process whose argv contains `marker` runs (not the shell or `setsid` still on the way to it).
func pythonRuns(containing marker: String) -> Bool {
    processes(containing: marker).contains { pid in
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("python3") == true
    }
}
