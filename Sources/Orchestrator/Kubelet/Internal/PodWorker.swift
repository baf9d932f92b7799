import API
import Foundation

/// Runs one pod on this node: ports, environment, one `ContainerSupervisor` per container, node state for
/// adoption, and the pod's status in the store.
actor PodWorker {
    private struct ContainerRun {
        var task: Task<Void, Never>
        var supervisor: ContainerSupervisor?
        var image: String
        var generation: Int
    }

    let key: ObjectKey
    let uid: String
    private var pod: Pod
    private let context: KubeletContext
    private var runs: [String: ContainerRun] = [:]
    private var statuses: [String: ContainerStatus] = [:]
    private var bindings: [PortBinding] = []
    private var state: PodNodeState
    private var startTime = Date()
    private var generation = 0
    private var dirty = false
    private var writer: Task<Void, Never>?
    private var stopping = false
    private var detaching = false
    private var reportedFailures: [String: String] = [:]

    init(pod: Pod, context: KubeletContext) {
        self.key = pod.key
        self.uid = pod.metadata.uid ?? ""
        self.pod = pod
        self.context = context
        self.state = PodNodeState(
            namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid ?? "", ports: [],
            gracePeriodSeconds: pod.spec.terminationGracePeriodSeconds ?? 30, images: [:], containers: [:])
    }

    private var gracePeriod: Duration { .seconds(max(0, pod.spec.terminationGracePeriodSeconds ?? 30)) }
    private var isTerminal: Bool { pod.status.phase == "Succeeded" || pod.status.phase == "Failed" }
    private var restartPolicy: RestartPolicy { RestartPolicy(rawValue: pod.spec.restartPolicy ?? "") ?? .always }

    private func containerID(_ name: String) -> ContainerID {
        ContainerID(namespace: pod.metadata.namespace, pod: pod.metadata.name, container: name)
    }

    // MARK: lifecycle

    /// Starts the pod: ports, annotation, containers (adopting the processes in `adoption`).
    func start(adoption: Adoption?) async {
        startTime = pod.status.startTime.flatMap(Timestamp.parse) ?? Date()
        if isTerminal { return }  // finished before: nothing runs again
        if pod.status.phase == nil, adoption == nil {
            await context.event(
                key, "Scheduled",
                "Successfully assigned \(pod.metadata.namespace)/\(pod.metadata.name) to \(context.configuration.nodeName)"
            )
        }
        if !pod.spec.initContainers.isEmpty {
            await context.event(
                key, "InitContainersIgnored", "init containers are not supported and were skipped", warning: true)
        }
        if let adoption {
            state = adoption.state
            state.containers = adoption.records
            state.gracePeriodSeconds = pod.spec.terminationGracePeriodSeconds ?? 30
        }
        guard await allocatePorts(adopted: adoption?.state.ports ?? []) else { return }
        save()
        await publishPorts()
        seedStatuses(adopted: adoption?.records ?? [:])
        for container in pod.spec.containers where !stopping {
            if let status = statuses[container.name], case .terminated(let terminated) = status.state,
                !restartPolicy.shouldRestart(after: terminated.exitCode == 0 ? .exited(code: 0) : .exited(code: 1))
            {
                continue  // completed before a gitopsd restart and not to be run again
            }
            launch(container, adopted: adoption?.records[container.name])
        }
        scheduleWrite()
    }

    /// Takes a newer version of the pod. Pod specs are immutable except `image`: a changed image restarts
    /// that container.
    func update(_ newer: Pod) async {
        guard newer.metadata.uid == pod.metadata.uid, !stopping else { return }
        pod.metadata = newer.metadata
        for (index, container) in newer.spec.containers.enumerated() where index < pod.spec.containers.count {
            guard pod.spec.containers[index].name == container.name else { continue }
            pod.spec.containers[index].image = container.image
            guard let run = runs[container.name], run.image != (container.image ?? "") else { continue }
            await context.event(
                key, "Killing", "Container \(container.name) definition changed, will be restarted")
            run.task.cancel()
            await run.task.value
            guard !stopping, runs[container.name]?.generation == run.generation else { continue }
            launch(pod.spec.containers[index], adopted: nil)
        }
    }

    /// Stops every container (hook, SIGTERM, grace, SIGKILL), releases the ports and forgets the node state;
    /// with `deleted`, removes the pod's logs too.
    func terminate(deleted: Bool) async {
        guard !stopping else { return }
        stopping = true
        if let hook = context.configuration.beforeTerminate { await hook(pod) }
        for (name, status) in statuses.sorted(by: { $0.key < $1.key }) {
            if case .running = status.state { await context.event(key, "Killing", "Stopping container \(name)") }
        }
        let current = Array(runs.values)
        for run in current { run.task.cancel() }
        for run in current { await run.task.value }
        for container in pod.spec.containers {
            try? await context.runtime.remove(containerID(container.name), gracePeriod: gracePeriod)
        }
        for name in state.containers.keys where !pod.spec.containers.contains(where: { $0.name == name }) {
            try? await context.runtime.remove(containerID(name), gracePeriod: gracePeriod)
        }
        writer?.cancel()
        await context.ports.release(namespace: pod.metadata.namespace, pod: pod.metadata.name)
        context.nodeState.remove(uid: uid)
        if deleted { context.removeLogs(namespace: pod.metadata.namespace, pod: pod.metadata.name) }
    }

    /// Ends supervision and leaves every process running, its record on disk, for the next gitopsd to adopt.
    func detach() async {
        guard !stopping else { return }
        stopping = true
        detaching = true
        let current = Array(runs.values)
        for run in current { await run.supervisor?.detach() }
        for run in current { run.task.cancel() }
        for run in current { await run.task.value }
        writer?.cancel()
    }

    // MARK: ports

    private func allocatePorts(adopted: [PortBinding]) async -> Bool {
        let namespace = pod.metadata.namespace
        let name = pod.metadata.name
        var held = adopted
        if let published = PodPorts(pod: pod)?.bindings { held += published.filter { !held.contains($0) } }
        if !held.isEmpty { await context.ports.reserve(namespace: namespace, pod: name, bindings: held) }
        let requests = pod.spec.containers.flatMap { container in
            container.ports.filter { $0.containerPort > 0 }.map {
                ContainerPortRequest(container: container.name, name: $0.name, containerPort: $0.containerPort)
            }
        }
        while !stopping {
            do {
                bindings = try await context.ports.allocate(namespace: namespace, pod: name, ports: requests)
                state.ports = bindings
                return true
            } catch {
                await context.event(key, "FailedAllocatePorts", "\(error)", warning: true)
                try? await Task.sleep(for: context.configuration.configurationRetryInterval)
            }
        }
        return false
    }

    /// Writes the `gitopsd.io/ports` annotation unless the pod already carries these ports.
    private func publishPorts() async {
        let value = PodPorts(bindings).annotationValue
        for _ in 0..<10 where !stopping {
            do {
                var current = try Pod(try await context.store.get(key))
                guard current.metadata.uid == pod.metadata.uid else { return }
                if current.metadata.annotations[PodPorts.annotation] == value { return }
                current.metadata.annotations[PodPorts.annotation] = value
                let result = try await context.store.update(current.toValue())
                if let written = try? Pod(result.object) { pod.metadata = written.metadata }
                return
            } catch let error as StoreError where error.code == .conflict {
                continue
            } catch let error as StoreError where error.code == .notFound {
                return
            } catch {
                try? await Task.sleep(for: context.configuration.storeRetryInterval)
            }
        }
    }

    // MARK: containers

    /// Continues from the status the pod reported before (restart counts, last states, completed containers).
    private func seedStatuses(adopted: [String: ProcessRecord]) {
        for reported in pod.status.containerStatuses {
            guard pod.spec.containers.contains(where: { $0.name == reported.name }) else { continue }
            var status = ContainerStatus(name: reported.name)
            status.restartCount = reported.restartCount
            if case .terminated? = PodStatusBuilder.nodeState(reported.lastState) {
                status.lastState = PodStatusBuilder.nodeState(reported.lastState)
            }
            let current = PodStatusBuilder.nodeState(reported.state)
            if let record = adopted[reported.name] {
                status.state = .running(startedAt: record.startedAt)
                status.ready = reported.ready
                status.started = reported.started ?? false
            } else if case .running(let startedAt)? = current {
                // It ran when gitopsd stopped and is gone now: count the next start as a restart.
                status.state = .terminated(
                    TerminatedState(
                        exitCode: ProcessExitStatus.unknown.exitCode, reason: "Error",
                        message: "the process was gone after a gitopsd restart", startedAt: startedAt,
                        finishedAt: Date()))
            } else if let current {
                status.state = current
            }
            statuses[reported.name] = status
        }
    }

    private func launch(_ container: Container, adopted: ProcessRecord?) {
        generation += 1
        let runGeneration = generation
        let task = Task { await self.containerLoop(container, adopted: adopted, generation: runGeneration) }
        runs[container.name] = ContainerRun(
            task: task, supervisor: nil, image: container.image ?? "", generation: runGeneration)
    }

    /// Resolves the container's configuration (waiting while it cannot be), then supervises it until the
    /// restart policy lets it finish or the task is cancelled.
    private func containerLoop(_ container: Container, adopted: ProcessRecord?, generation: Int) async {
        let name = container.name
        let id = containerID(name)
        var resolved: ContainerEnvironment?
        while !Task.isCancelled {
            do {
                let environment = try await resolveEnvironment(container)
                if environment.command.isEmpty {
                    throw NodeError(
                        .containerConfig,
                        "container \(name) has no command: gitopsd runs containers as local processes, without "
                            + "the image's entrypoint; set command (and args)")
                }
                resolved = environment
                break
            } catch {
                if adopted != nil {
                    // Keep supervising the adopted process; probes get the runtime variables only.
                    let variables = RuntimeEnvironment.variables(
                        for: id, ports: bindings, podIP: context.configuration.podIP)
                    resolved = ContainerEnvironment(
                        variables: variables, command: adopted?.command ?? [], args: [], invalidNames: [])
                    break
                }
                let message = (error as? NodeError)?.message ?? "\(error)"
                setWaiting(name, generation: generation, reason: "CreateContainerConfigError", message: message)
                if reportedFailures[name] != message {
                    reportedFailures[name] = message
                    await context.event(key, "Failed", "Error: \(message)", warning: true)
                }
                try? await Task.sleep(for: context.configuration.configurationRetryInterval)
            }
        }
        guard let resolved, !Task.isCancelled || detaching else { return }
        reportedFailures[name] = nil
        if !resolved.invalidNames.isEmpty {
            await context.event(
                key, "InvalidEnvironmentVariableNames",
                "Keys [\(resolved.invalidNames.joined(separator: ", "))] from envFrom of container \(name) were "
                    + "skipped since they are not valid environment variable names", warning: true)
        }
        let spec = ContainerSpec(
            id: id, command: resolved.command, args: resolved.args, environment: resolved.variables,
            workingDirectory: container.workingDir)
        // Exec probes run as the containers do.
        let podUser = (context.runtime as? ProcessRuntime)?.configuration.podUser ?? ProcessIdentity.podDefault
        let supervisor = ContainerSupervisor(
            spec: spec, runtime: context.runtime, configuration: await supervisorConfiguration(container),
            checker: ProbeChecker(podUser: podUser), initialStatus: statuses[name])
        guard runs[name]?.generation == generation else { return }
        runs[name]?.supervisor = supervisor
        if detaching { await supervisor.detach() }
        if Task.isCancelled, adopted == nil { return }
        let updates = await supervisor.statusUpdates()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await status in updates { await self.containerStatusChanged(name, status, generation: generation) }
            }
            await supervisor.run(adopting: adopted)
            group.cancelAll()
        }
        containerStatusChanged(name, await supervisor.status, generation: generation)
    }

    private func supervisorConfiguration(_ container: Container) async -> ContainerSupervisor.Configuration {
        var probes: [ProbeKind: Probe] = [:]
        for (kind, probe) in [
            (ProbeKind.startup, container.startupProbe), (.liveness, container.livenessProbe),
            (.readiness, container.readinessProbe),
        ] {
            guard let probe else { continue }
            do {
                probes[kind] = try ProbeTranslation.translate(probe, container: container)
            } catch {
                await context.event(
                    key, "ProbeUnsupported", "\(kind.rawValue) probe of container \(container.name): \(error.message)",
                    warning: true)
            }
        }
        let name = container.name
        return ContainerSupervisor.Configuration(
            restartPolicy: restartPolicy, backOff: context.configuration.backOff, startupProbe: probes[.startup],
            livenessProbe: probes[.liveness], readinessProbe: probes[.readiness], gracePeriod: gracePeriod,
            ports: bindings.filter { $0.container == name },
            eventHandler: { [weak self] event in
                guard let self else { return }
                Task { await self.supervisorEvent(name, event) }
            })
    }

    private func resolveEnvironment(_ container: Container) async throws -> ContainerEnvironment {
        let namespace = pod.metadata.namespace
        var sources = EnvironmentSources()
        if pod.spec.enableServiceLinks != false {
            let services = try await context.store.list(kind: Service.resource.kind, namespace: namespace)
            sources.services = services.items.compactMap { try? Service($0) }
        }
        var configMapNames = Set(container.envFrom.compactMap { $0.configMapRef?.name })
        var secretNames = Set(container.envFrom.compactMap { $0.secretRef?.name })
        for variable in container.env {
            if let name = variable.valueFrom?.configMapKeyRef?.name { configMapNames.insert(name) }
            if let name = variable.valueFrom?.secretKeyRef?.name { secretNames.insert(name) }
        }
        for name in configMapNames {
            if let value = try await getIfPresent(
                ObjectKey(kind: ConfigMap.resource.kind, namespace: namespace, name: name))
            {
                sources.configMaps[name] = try ConfigMap(value)
            }
        }
        for name in secretNames {
            if let value = try await getIfPresent(
                ObjectKey(kind: Secret.resource.kind, namespace: namespace, name: name))
            {
                sources.secrets[name] = try Secret(value)
            }
        }
        return try ContainerEnvironment.resolve(
            container, of: pod, sources: sources, ports: bindings,
            context: .init(nodeName: context.configuration.nodeName, podIP: context.configuration.podIP))
    }

    private func getIfPresent(_ key: ObjectKey) async throws -> Value? {
        do {
            return try await context.store.get(key)
        } catch let error as StoreError where error.code == .notFound {
            return nil
        }
    }

    private func setWaiting(_ name: String, generation: Int, reason: String, message: String) {
        guard runs[name]?.generation == generation else { return }
        var status = statuses[name] ?? ContainerStatus(name: name)
        status.recordWaiting(reason: reason, message: message)
        guard status != statuses[name] else { return }
        statuses[name] = status
        scheduleWrite()
    }

    private func containerStatusChanged(_ name: String, _ status: ContainerStatus, generation: Int) {
        guard runs[name]?.generation == generation, status != statuses[name] else { return }
        let old = statuses[name]
        statuses[name] = status
        scheduleWrite()
        switch status.state {
        case .running(let startedAt) where old?.state != status.state:
            Task { await self.containerStarted(name, startedAt: startedAt) }
        case .waiting(let reason, _) where reason == "CrashLoopBackOff":
            if case .waiting(reason: "CrashLoopBackOff", _)? = old?.state { break }
            Task {
                await context.event(
                    key, "BackOff", "Back-off restarting failed container \(name) in pod \(pod.metadata.name)",
                    warning: true)
            }
        case .waiting(let reason, let message) where reason == "CreateContainerError":
            Task { await context.event(key, "Failed", "Error: \(message ?? reason)", warning: true) }
        default:
            break
        }
    }

    /// The process started at `startedAt` started (or was adopted): record `Started` unless it is the process
    /// already on record (adoption), and persist its record at once if it still runs.
    ///
    /// The event follows the status change, not what the runtime shows by the time this runs: a crashing
    /// process may have exited by then, or the next one (the first restart has no back-off) may have started,
    /// and looking at the runtime's current process used to drop such a start from the count.
    private func containerStarted(_ name: String, startedAt: Date) async {
        guard !stopping || detaching, state.containers[name]?.startedAt != startedAt else { return }
        if case .running(let record)? = await context.runtime.state(of: containerID(name)),
            record.startedAt == startedAt, state.containers[name] != record
        {
            state.containers[name] = record
            state.images[name] = pod.spec.containers.first { $0.name == name }?.image ?? ""
            save()
        }
        guard !stopping || detaching else { return }
        await context.event(key, "Started", "Started container \(name)")
    }

    private func supervisorEvent(_ name: String, _ event: ContainerSupervisor.Event) async {
        switch event {
        case .probeFailed(let kind, let message):
            await context.event(
                key, "Unhealthy", "\(kind.rawValue.capitalized) probe failed: \(message)", warning: true)
        case .killing(let kind, _):
            await context.event(
                key, "Killing",
                "Container \(name) failed \(kind.rawValue) probe, will be restarted")
        }
    }

    private func save() {
        guard !stopping || detaching else { return }
        try? context.nodeState.save(state)
    }

    // MARK: status

    private func scheduleWrite() {
        dirty = true
        guard writer == nil, !stopping else { return }
        writer = Task { await self.writeLoop() }
    }

    private func writeLoop() async {
        try? await Task.sleep(for: context.configuration.statusCoalescing)
        while dirty, !Task.isCancelled {
            dirty = false
            if await !writeStatus() {
                dirty = true
                try? await Task.sleep(for: context.configuration.storeRetryInterval)
            }
        }
        writer = nil
    }

    /// Writes the pod's status if it changed; retries on conflict. Returns false on a store error worth a retry.
    private func writeStatus() async -> Bool {
        let builder = PodStatusBuilder(podIP: context.configuration.podIP, hostIP: context.configuration.podIP)
        for _ in 0..<10 {
            do {
                let current = try Pod(try await context.store.get(key))
                guard current.metadata.uid == pod.metadata.uid else { return true }
                var updated = current
                updated.status = builder.status(for: current, containers: statuses, startTime: startTime)
                let before = current.toValue()["status"]
                let after = updated.toValue()["status"]
                pod.status = updated.status
                if before == after { return true }
                _ = try await context.store.updateStatus(updated.toValue())
                return true
            } catch let error as StoreError where error.code == .conflict {
                continue
            } catch let error as StoreError where error.code == .notFound {
                return true
            } catch {
                return false
            }
        }
        return false
    }
}
