public import Foundation
public import Logging

/// The whole control plane and node of one machine, over one store: the Deployment and ReplicaSet
/// controllers and the kubelet that runs pods as processes.
///
/// What `gitopsd serve` runs, and what `gitopsd reconcile --once --wait` runs for as long as it waits.
public final class EmbeddedOrchestrator: Sendable {
    public struct Configuration: Sendable {
        /// Where logs and node state live (`<data-dir>/logs`, `<data-dir>/node`).
        public var dataDirectory: String
        public var deployments: DeploymentController.Configuration
        public var replicaSets: ReplicaSetController.Configuration
        public var kubelet: Kubelet.Configuration

        public init(dataDirectory: String) {
            self.dataDirectory = dataDirectory
            self.deployments = DeploymentController.Configuration()
            self.replicaSets = ReplicaSetController.Configuration()
            self.kubelet = Kubelet.Configuration(dataDirectory: dataDirectory)
        }
    }

    public let store: any ObjectStore
    public let deployments: DeploymentController
    public let replicaSets: ReplicaSetController
    public let kubelet: Kubelet
    private let logger: Logger

    public init(store: any ObjectStore, configuration: Configuration, logger: Logger) {
        self.store = store
        self.logger = logger
        deployments = DeploymentController(store: store, configuration: configuration.deployments, logger: logger)
        replicaSets = ReplicaSetController(store: store, configuration: configuration.replicaSets, logger: logger)
        kubelet = Kubelet(store: store, configuration: configuration.kubelet)
    }

    /// Runs every part until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.deployments.run() }
            group.addTask { await self.replicaSets.run() }
            group.addTask { await self.kubelet.run() }
        }
    }

    /// Stops the pods' processes (or, with `keepWorkloads`, leaves them for the next start to adopt).
    /// Call before cancelling `run()`, so no pod is left without supervision.
    public func shutdown(keepWorkloads: Bool) async {
        logger.info(keepWorkloads ? "leaving workloads running for the next start to adopt" : "stopping workloads")
        await kubelet.shutdown(keepWorkloads: keepWorkloads)
    }
}
