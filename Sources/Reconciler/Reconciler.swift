/// Turns a source commit into desired state and applies it to a cluster.
public enum ReconcilerModule {}
