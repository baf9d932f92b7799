public import API
import Glibc

extension Kubelet {
    /// Settings of a node agent. Timing defaults follow the kubelet; tests shorten them.
    public struct Configuration: Sendable {
        /// gitopsd's data directory: logs go to `<data-dir>/logs/<namespace>_<pod>/<container>.log`, the records
        /// kept for adoption after a restart to `<data-dir>/node/`.
        public var dataDirectory: String
        /// This node's name: pods whose `spec.nodeName` is empty or this name run here; `fieldRef`
        /// `spec.nodeName` reads it for pods that name none.
        public var nodeName: String
        /// Crash-loop back-off (10 s doubling to 300 s).
        public var backOff: CrashLoopBackOff<ContinuousClock.Instant>.Configuration
        /// How often a container waiting in `CreateContainerConfigError` (a missing ConfigMap, Secret or key)
        /// is tried again (2 s).
        public var configurationRetryInterval: Duration
        /// How long status changes are gathered before one status write (100 ms), so a burst of container
        /// changes makes one write.
        public var statusCoalescing: Duration
        /// Wait before trying again after a store error (1 s).
        public var storeRetryInterval: Duration
        /// Called before a pod's containers get SIGTERM (pod deleted, or `shutdown(keepWorkloads: false)`), so
        /// the networking layer can take the pod out of rotation first. The grace period starts after it
        /// returns; keep it short.
        public var beforeTerminate: (@Sendable (Pod) async -> Void)?

        /// Creates a configuration; omitted values take the defaults above. The node name defaults to the
        /// machine's host name.
        public init(
            dataDirectory: String, nodeName: String? = nil,
            backOff: CrashLoopBackOff<ContinuousClock.Instant>.Configuration = .init(),
            configurationRetryInterval: Duration = .seconds(2), statusCoalescing: Duration = .milliseconds(100),
            storeRetryInterval: Duration = .seconds(1), beforeTerminate: (@Sendable (Pod) async -> Void)? = nil
        ) {
            self.dataDirectory = dataDirectory
            self.nodeName = nodeName ?? Self.hostName()
            self.backOff = backOff
            self.configurationRetryInterval = configurationRetryInterval
            self.statusCoalescing = statusCoalescing
            self.storeRetryInterval = storeRetryInterval
            self.beforeTerminate = beforeTerminate
        }

        /// The machine's host name, lower-cased (`gethostname`, no DNS lookup); `localhost` if it has none.
        static func hostName() -> String {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return name.isEmpty ? "localhost" : name.lowercased()
        }

        /// `<data-dir>/logs`: the process runtime's logs directory.
        public var logsDirectory: String { "\(dataDirectory)/logs" }
        /// `<data-dir>-pods`: the pods' own working directories, `<namespace>_<pod>/<container>`. Beside the data
        /// directory, not in it: the data directory is private to gitopsd (0700), and a pod running as another
        /// user could not reach a directory inside it.
        public var podsDirectory: String {
            var base = dataDirectory
            while base.count > 1, base.hasSuffix("/") { base.removeLast() }
            return base + "-pods"
        }
        /// `<data-dir>/node`: node state kept across gitopsd restarts.
        public var stateDirectory: String { "\(dataDirectory)/node" }
        /// The address of every pod and of the node.
        public var podIP: String { "127.0.0.1" }
    }
}
