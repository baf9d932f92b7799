import API
import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

/// A kubelet on a temporary data directory and a real SQLite store, with short timings.
final class KubeletHarness: Sendable {
    let directory: TemporaryDirectory
    let store: SQLiteObjectStore
    let hookCalls = HookLog()

    init() throws {
        directory = try TemporaryDirectory()
        var configuration = SQLiteObjectStore.Configuration()
        configuration.maintenanceInterval = nil
        configuration.pollInterval = .milliseconds(5)
        store = try SQLiteObjectStore.temporary(configuration: configuration)
    }

    /// A failed test may end without stopping its kubelet: kill whatever processes the node state still names.
    deinit {
        let states = NodeStateStore(directory: "\(directory.path)/node").loadAll().states
        for record in states.flatMap({ $0.containers.values })
        where ProcStat.read(record.pid)?.startTime == record.startTime {
            kill(-record.processGroup, SIGKILL)
        }
        for path in states.flatMap({ $0.containers.values }).compactMap(\.cgroup) {
            let members = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
            for pid in members.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            rmdir(path)
        }
        try? FileManager.default.removeItem(atPath: "\(directory.path)-pods")
    }

    var dataDirectory: String { directory.path }

    /// A new kubelet (with a new process runtime, as after a gitopsd restart) running in a task.
    ///
    /// - Parameter daemonRuntime: use the runtime a daemon gets (`Kubelet(store:configuration:)`: pods as an
    ///   unprivileged user when run as root) instead of one running pods as the test's own user.
    /// - Parameter slowStateQueries: wrap the runtime so that `state(of:)` answers only after this long, as on a
    ///   loaded machine (see `SlowStateRuntime`).
    func start(daemonRuntime: Bool = false, slowStateQueries: Duration? = nil) -> RunningKubelet {
        let hookCalls = hookCalls
        let configuration = Kubelet.Configuration(
            dataDirectory: dataDirectory, nodeName: "test-node",
            backOff: .init(initial: .milliseconds(200), maximum: .milliseconds(400)),
            configurationRetryInterval: .milliseconds(100), statusCoalescing: .milliseconds(20),
            storeRetryInterval: .milliseconds(100),
            beforeTerminate: { pod in await hookCalls.record(pod) })
        let runtime = ProcessRuntime(
            configuration: .init(
                logsDirectory: configuration.logsDirectory, defaultGracePeriod: .seconds(2), podUser: nil,
                workingDirectories: configuration.podsDirectory))
        let kubelet =
            daemonRuntime
            ? Kubelet(store: store, configuration: configuration)
            : Kubelet(
                store: store,
                runtime: slowStateQueries.map { SlowStateRuntime(runtime, delay: $0) } ?? runtime,
                configuration: configuration)
        return RunningKubelet(kubelet: kubelet, task: Task { await kubelet.run() })
    }

    func create<T: KubernetesObject>(_ object: T) async throws {
        _ = try await store.create(object.toValue())
    }

    func pod(_ name: String) async -> Pod? {
        guard let value = try? await store.get(ObjectKey(kind: "Pod", namespace: "default", name: name)) else {
            return nil
        }
        return try? Pod(value)
    }

    func delete(pod name: String) async throws {
        try await store.delete(ObjectKey(kind: "Pod", namespace: "default", name: name))
    }

    func events(_ name: String) async -> [ObjectEvent] {
        (try? await store.events(for: ObjectKey(kind: "Pod", namespace: "default", name: name))) ?? []
    }

    /// Waits until the pod's status satisfies `condition`; returns the pod then (or the last one seen).
    @discardableResult
    func waitForPod(
        _ name: String, timeout: Duration = .seconds(20), _ condition: @escaping (Pod) -> Bool
    ) async -> Pod? {
        var last: Pod?
        let met = await eventually(timeout: timeout) {
            last = await pod(name)
            return last.map(condition) ?? false
        }
        if !met {
            Issue.record(
                "pod \(name) never reached the expected state; last status: \(String(describing: last?.status))")
        }
        return met ? last : nil
    }

    /// A file in the data directory.
    func path(_ name: String) -> String { "\(dataDirectory)/\(name)" }
}

/// A kubelet and the task running it.
struct RunningKubelet: Sendable {
    let kubelet: Kubelet
    let task: Task<Void, Never>

    func stop(keepWorkloads: Bool) async {
        await kubelet.shutdown(keepWorkloads: keepWorkloads)
        task.cancel()
        await task.value
    }
}

/// What the `beforeTerminate` hook saw: each pod, and whether its first container's process was still alive.
actor HookLog {
    private(set) var pods: [String] = []
    var pidFiles: [String: String] = [:]
    private(set) var aliveAtHook: [String: Bool] = [:]

    func record(_ pod: Pod) {
        pods.append(pod.metadata.name)
        if let file = pidFiles[pod.metadata.name], let pid = readPid(file) {
            aliveAtHook[pod.metadata.name] = kill(pid, 0) == 0 && !isNotRunning(pid)
        }
    }

    func watchPid(of pod: String, in file: String) {
        pidFiles[pod] = file
    }
}

/// A pod running `command` in container `main`.
func testPod(
    _ name: String, command: [String], ports: [ContainerPort] = [], env: [EnvVar] = [],
    configure: (inout Pod) -> Void = { _ in }
) -> Pod {
    var container = Container(name: "main", image: "example/app:1")
    container.command = command
    container.ports = ports
    container.env = env
    var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": name]))
    pod.spec.containers = [container]
    pod.spec.terminationGracePeriodSeconds = 2
    configure(&pod)
    return pod
}

/// A python3 program that writes its environment as JSON to `file`, then sleeps.
func envDumper(_ file: String) -> [String] {
    [
        "python3", "-c",
        "import json,os,sys,time; json.dump({'env': dict(os.environ), 'argv': sys.argv[2:]}, open(sys.argv[1]+'.tmp','w')); "
            + "os.rename(sys.argv[1]+'.tmp', sys.argv[1]); time.sleep(600)",
        file,
    ]
}

/// The JSON object in a file, once it exists.
func readJSON(_ path: String) async -> [String: Any]? {
    var result: [String: Any]?
    _ = await eventually(timeout: .seconds(60)) {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        result = object
        return true
    }
    return result
}

func readPid(_ path: String) -> Int32? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Pids of live processes whose command line contains `marker`.
func processes(containing marker: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else {
            return nil
        }
        let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return commandLine.contains(marker) && !isNotRunning(pid) ? pid : nil
    }
}

extension Pod {
    var mainStatus: API.ContainerStatus? { status.containerStatuses.first }
    func condition(_ type: String) -> Condition? { status.conditions.first { $0.type == type } }
}

/// A real process runtime whose `state(of:)` answers late, so a test can make a short-lived container exit
/// (and the next one start) before the kubelet has looked at it, without depending on the machine's load.
struct SlowStateRuntime: ContainerRuntime {
    let runtime: ProcessRuntime
    let delay: Duration

    init(_ runtime: ProcessRuntime, delay: Duration) {
        self.runtime = runtime
        self.delay = delay
    }

    func start(_ spec: ContainerSpec) async throws -> ProcessRecord { try await runtime.start(spec) }
    func stop(_ id: ContainerID, gracePeriod: Duration?) async throws -> ContainerExit {
        try await runtime.stop(id, gracePeriod: gracePeriod)
    }
    func waitForExit(_ id: ContainerID) async throws -> ContainerExit { try await runtime.waitForExit(id) }
    func remove(_ id: ContainerID, gracePeriod: Duration?) async throws {
        try await runtime.remove(id, gracePeriod: gracePeriod)
    }
    func state(of id: ContainerID) async -> RuntimeContainerState? {
        try? await Task.sleep(for: delay)
        return await runtime.state(of: id)
    }
    func adopt(_ record: ProcessRecord) async throws { try await runtime.adopt(record) }
    func events() async -> AsyncStream<ContainerEvent> { await runtime.events() }
}
