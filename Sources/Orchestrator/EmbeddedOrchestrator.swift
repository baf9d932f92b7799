public import Foundation
public import Logging

/// The whole control plane and node of one machine, over one store: the Deployment and ReplicaSet
/// controllers, the kubelet that runs pods as processes, and the network controllers (Endpoints, Service
/// proxies, Ingress router).
///
/// What `gitopsd serve` runs, and what `gitopsd reconcile --once --wait` runs for as long as it waits.
public final class EmbeddedOrchestrator: Sendable {
    public struct Configuration: Sendable {
        /// Where logs and node state live (`<data-dir>/logs`, `<data-dir>/node`).
        public var dataDirectory: String
        public var deployments: DeploymentController.Configuration
        public var replicaSets: ReplicaSetController.Configuration
        /// The kubelet's settings; its `beforeTerminate` hook is set to the network's drain.
        public var kubelet: Kubelet.Configuration
        public var network: NetworkControllers.Configuration

        public init(dataDirectory: String) {
            self.dataDirectory = dataDirectory
            self.deployments = DeploymentController.Configuration()
            self.replicaSets = ReplicaSetController.Configuration()
            self.kubelet = Kubelet.Configuration(dataDirectory: dataDirectory)
            self.network = NetworkControllers.Configuration()
        }
    }

    public let store: any ObjectStore
    /// One list and watch per kind for every part.
    public let informers: SharedInformers
    public let deployments: DeploymentController
    public let replicaSets: ReplicaSetController
    public let kubelet: Kubelet
    public let network: NetworkControllers
    private let logger: Logger

    /// - Throws: `NetworkError` for a malformed service CIDR or node port range.
    public init(store: any ObjectStore, configuration: Configuration, logger: Logger) throws(NetworkError) {
        self.store = store
        self.logger = logger
        informers = SharedInformers(store: store, logger: logger)
        deployments = DeploymentController(
            store: store, informers: informers, configuration: configuration.deployments, logger: logger)
        replicaSets = ReplicaSetController(
            store: store, informers: informers, configuration: configuration.replicaSets, logger: logger)
        network = try NetworkControllers(
            store: store, informers: informers, configuration: configuration.network, logger: logger)
        var kubeletConfiguration = configuration.kubelet
        // A terminating pod leaves the Endpoints and is drained before it gets SIGTERM: rollouts drop no request.
        kubeletConfiguration.beforeTerminate = network.beforeTerminateHook
        kubelet = Kubelet(store: store, configuration: kubeletConfiguration, logger: logger)
    }

    /// Binds the Ingress listeners now, so a daemon fails fast when the address is taken.
    /// - Throws: `NetworkError` `.bindFailed`.
    public func start() async throws(NetworkError) {
        try await network.start()
    }

    /// Runs every part until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.informers.run() }
            group.addTask { await self.deployments.run() }
            group.addTask { await self.replicaSets.run() }
            group.addTask { await self.network.run() }
            group.addTask { await self.kubelet.run() }
        }
    }

    /// Stops the pods' processes (or, with `keepWorkloads`, leaves them for the next start to adopt), then
    /// the proxies. Call before cancelling `run()`, so no pod is left without supervision.
    public func shutdown(keepWorkloads: Bool) async {
        logger.info(keepWorkloads ? "leaving workloads running for the next start to adopt" : "stopping workloads")
        await kubelet.shutdown(keepWorkloads: keepWorkloads)
        await network.shutdown()
    }
}
