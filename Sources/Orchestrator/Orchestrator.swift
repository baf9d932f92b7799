/// The embedded control plane and node: store, controllers, node agent, network.
public enum OrchestratorModule {}
