import API
import Foundation
public import Logging

/// The node agent: makes the Pods in the store real processes on this machine, like Kubernetes' kubelet.
///
/// It lists and watches Pods (re-listing when the watch expires). For each pod that is not finished it
/// allocates a host port per container port (published as the `gitopsd.io/ports` annotation, see `PodPorts`),
/// builds each container's environment as Kubernetes does (Service variables, `envFrom`, `env` with
/// `valueFrom`, then `PORT`, `PORT_<NAME>`, `POD_NAME`, `POD_NAMESPACE`, `POD_IP`; `$(VAR)` expansion), and
/// runs it under a `ContainerSupervisor` (probes, restart policy, crash-loop back-off). It writes the pod's
/// status (phase, conditions, container statuses) and records events. A deleted pod's processes get
/// `beforeTerminate`, SIGTERM, and SIGKILL after the grace period.
///
/// ## Restarts of gitopsd
/// Each container's `ProcessRecord` is written under `<data-dir>/node/` as soon as it starts. On `run()`, before
/// any pod runs, a process whose pod (same uid) still exists is adopted and supervised again; any other
/// recorded process that is still the same process is killed. `shutdown(keepWorkloads: true)` leaves the
/// processes running for that.
///
/// ## Concurrency
/// An actor; each pod has its own worker, so a slow stop never holds up the watch. Call `run()` once, in a
/// task of its own; call `shutdown(keepWorkloads:)` before dropping the kubelet (cancelling `run()` alone stops
/// watching but leaves pods running unsupervised).
public actor Kubelet {
    private struct Entry {
        var worker: PodWorker
        var uid: String
        var started: Task<Void, Never>
        /// The latest spec/metadata update handed to the worker; updates run one after the other, in order.
        var lastUpdate: Task<Void, Never>?
    }

    /// The kubelet's settings.
    public nonisolated let configuration: Configuration
    private let context: KubeletContext
    private var workers: [ObjectKey: Entry] = [:]
    private var terminations: [ObjectKey: Task<Void, Never>] = [:]
    private var adoptions: [String: Adoption] = [:]
    private var isShutDown = false
    private var watch: WatchStream?

    /// Creates a node agent; nothing runs until `run()`.
    ///
    /// - Parameters:
    ///   - store: the object store holding the Pods (and the ConfigMaps, Secrets and Services they use).
    ///   - runtime: runs the containers; a `ProcessRuntime` whose logs directory is
    ///     `configuration.logsDirectory` (so `gitopsd logs` finds the logs).
    ///   - configuration: data directory, node name, timing.
    public init(store: any ObjectStore, runtime: any ContainerRuntime, configuration: Configuration) {
        self.configuration = configuration
        self.context = KubeletContext(
            store: store, runtime: runtime, ports: PortAllocator(),
            nodeState: NodeStateStore(directory: configuration.stateDirectory), configuration: configuration)
    }

    /// Creates a node agent with a `ProcessRuntime` logging under `<data-dir>/logs`, with working directories under
    /// `<data-dir>-pods`, running pods as `nobody` when gitopsd runs as root (`ProcessIdentity.podDefault`).
    ///
    /// - Parameter logger: passed to the runtime, which says once when containers cannot get cgroups.
    public init(store: any ObjectStore, configuration: Configuration, logger: Logger? = nil) {
        self.init(
            store: store,
            runtime: ProcessRuntime(
                configuration: .init(
                    logsDirectory: configuration.logsDirectory, workingDirectories: configuration.podsDirectory),
                logger: logger),
            configuration: configuration)
    }

    /// Watches Pods and runs them until cancelled or shut down. The first list also settles the processes
    /// recorded by an earlier gitopsd: adopted when their pod still exists, killed otherwise.
    public func run() async {
        var recovered = false
        while !Task.isCancelled, !isShutDown {
            do {
                let list = try await context.store.list(kind: Pod.resource.kind)
                let pods = list.items.compactMap { try? Pod($0) }.filter(isForThisNode)
                if !recovered {
                    await recoverNodeState(pods)
                    recovered = true
                }
                guard !isShutDown else { return }
                sync(pods)
                let stream = try await context.store.watch(ObjectFilter(kind: Pod.resource.kind), from: list.revision)
                watch = stream
                if isShutDown { stream.cancel() }
                for try await event in stream {
                    if isShutDown { break }
                    handle(event)
                }
                watch = nil
            } catch let error as StoreError where error.code == .expired {
                continue  // re-list
            } catch {
                try? await Task.sleep(for: configuration.storeRetryInterval)
            }
        }
    }

    /// Stops running pods and returns when done.
    ///
    /// - Parameter keepWorkloads: false stops every pod's processes (`beforeTerminate`, SIGTERM, SIGKILL after
    ///   the grace period) and forgets their records; true ends supervision but leaves the processes running and
    ///   their records on disk, for the next kubelet on the same data directory to adopt.
    public func shutdown(keepWorkloads: Bool) async {
        isShutDown = true
        watch?.cancel()
        let entries = Array(workers.values)
        workers = [:]
        await withDiscardingTaskGroup { group in
            for entry in entries {
                group.addTask {
                    await entry.started.value
                    if keepWorkloads {
                        await entry.worker.detach()
                    } else {
                        await entry.worker.terminate(deleted: false)
                    }
                }
            }
        }
        for termination in terminations.values { await termination.value }
    }

    /// The host ports allocated to a pod, empty when it has none here.
    public func ports(namespace: String, pod: String) async -> [PortBinding] {
        await context.ports.bindings(namespace: namespace, pod: pod)
    }

    // MARK: pods

    private func isForThisNode(_ pod: Pod) -> Bool {
        let node = pod.spec.nodeName ?? ""
        return node.isEmpty || node == configuration.nodeName
    }

    private func sync(_ pods: [Pod]) {
        let current = Dictionary(pods.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, entry) in workers where current[key]?.metadata.uid != entry.uid {
            terminate(key, deleted: true)
        }
        for pod in pods { apply(pod) }
    }

    private func handle(_ event: WatchEvent) {
        guard let pod = try? Pod(event.object) else { return }
        switch event.type {
        case .added, .modified:
            if isForThisNode(pod) {
                apply(pod)
            } else if workers[pod.key]?.uid == pod.metadata.uid {
                terminate(pod.key, deleted: true)
            }
        case .deleted:
            if workers[pod.key]?.uid == pod.metadata.uid { terminate(pod.key, deleted: true) }
        }
    }

    private func apply(_ pod: Pod) {
        guard !isShutDown else { return }
        let uid = pod.metadata.uid ?? ""
        if let entry = workers[pod.key] {
            if entry.uid == uid {
                let worker = entry.worker
                let previous = entry.lastUpdate ?? entry.started
                workers[pod.key]?.lastUpdate = Task {
                    await previous.value
                    await worker.update(pod)
                }
                return
            }
            terminate(pod.key, deleted: true)
        }
        let worker = PodWorker(pod: pod, context: context)
        let previous = terminations[pod.key]
        let adoption = adoptions.removeValue(forKey: uid)
        let started = Task {
            await previous?.value
            await worker.start(adoption: adoption)
        }
        workers[pod.key] = Entry(worker: worker, uid: uid, started: started)
    }

    private func terminate(_ key: ObjectKey, deleted: Bool) {
        guard let entry = workers.removeValue(forKey: key) else { return }
        let termination = Task {
            await entry.started.value
            await entry.worker.terminate(deleted: deleted)
        }
        terminations[key] = termination
        Task {
            await termination.value
            self.terminationFinished(key, termination)
        }
    }

    private func terminationFinished(_ key: ObjectKey, _ task: Task<Void, Never>) {
        if terminations[key] == task { terminations[key] = nil }
    }

    // MARK: adoption

    /// Settles the records an earlier gitopsd left: adopts the processes of pods that still exist (same uid,
    /// same image), kills the others that are still the recorded process, drops the rest.
    private func recoverNodeState(_ pods: [Pod]) async {
        let (states, broken) = context.nodeState.loadAll()
        for file in broken { context.nodeState.removeFile(file) }
        let byUID = Dictionary(
            pods.compactMap { pod in pod.metadata.uid.map { ($0, pod) } }, uniquingKeysWith: { a, _ in a })
        let runtime = context.runtime
        await withDiscardingTaskGroup { group in
            for state in states {
                let pod = byUID[state.uid]
                let live = pod.map { $0.status.phase != "Succeeded" && $0.status.phase != "Failed" } ?? false
                var adopted: [String: ProcessRecord] = [:]
                for (name, record) in state.containers.sorted(by: { $0.key < $1.key }) {
                    do {
                        try await runtime.adopt(record)
                    } catch {
                        continue  // exited, or the pid is another process now: nothing to adopt or kill
                    }
                    let container = pod?.spec.containers.first { $0.name == name }
                    if live, let container, (container.image ?? "") == (state.images[name] ?? "") {
                        adopted[name] = record
                    } else {
                        let grace = Duration.seconds(max(0, state.gracePeriodSeconds))
                        group.addTask { try? await runtime.remove(record.id, gracePeriod: grace) }
                    }
                }
                if live {
                    var kept = state
                    kept.containers = adopted
                    adoptions[state.uid] = Adoption(state: kept, records: adopted)
                } else {
                    context.nodeState.remove(uid: state.uid)
                    if pod == nil,
                        !pods.contains(where: { $0.key.namespace == state.namespace && $0.key.name == state.name })
                    {
                        context.removeLogs(namespace: state.namespace, pod: state.name)
                    }
                }
            }
        }
    }
}
