import Logging
import Orchestrator
import Reconciler
import ServiceLifecycle

/// The embedded orchestrator as a service: on shutdown it stops (or leaves) the workloads first, then
/// the controllers.
struct OrchestratorService: Service {
    let orchestrator: EmbeddedOrchestrator
    let keepWorkloads: Bool

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await orchestrator.run() }
            try? await gracefulShutdown()
            await orchestrator.shutdown(keepWorkloads: keepWorkloads)
            group.cancelAll()
        }
    }
}

/// Every source's GitOps loop; the first thing to stop on shutdown, so nothing is applied while the rest
/// goes down.
struct SourcesService: Service {
    let controllers: [SourceController]

    func run() async throws {
        guard !controllers.isEmpty else {
            // The orchestrator alone: nothing to poll, but the service lives as long as the daemon.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for controller in controllers {
                    group.addTask { await controller.run() }
                }
            }
        }
    }
}
