/// Reads Kubernetes manifests from git repositories through libgit2.
public enum GitSourceModule {}
