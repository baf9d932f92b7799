#if canImport(Glibc)
    import Glibc
#endif

/// How the daemon shares its file descriptors between its listeners, keeping a reserve for everything else.
///
/// Every open connection costs a descriptor, two when it is proxied; so do pod processes' pipes and logs, probes,
/// the store's files and git's packs. When clients can take them all, the daemon cannot restart a pod, read git
/// or answer `/healthz`. So each listener gets a cap, and a quarter of the limit (at least 256) is never handed to
/// clients.
struct DescriptorBudget: Equatable, CustomStringConvertible {
    /// The process's descriptor limit the budget was made from.
    var limit: Int
    /// Descriptors no listener may use: the kubelet, probes, the store, git.
    var reserve: Int
    /// Connections the API holds at once (one descriptor each).
    var api: Int
    /// Client connections the Ingress holds at once (two descriptors each: client and upstream).
    var ingress: Int
    /// Client connections all Service proxies hold at once (two descriptors each).
    var services: Int

    /// Splits `limit`: the reserve first, a sixteenth of the rest for the API (16 to 1024), and the remainder
    /// halved between the Ingress and the Service proxies. Every cap is at least 16, so a tiny limit still works.
    init(limit: Int) {
        self.limit = limit
        reserve = max(256, limit / 4)
        let usable = max(0, limit - reserve)
        api = min(1024, max(16, usable / 16))
        let proxied = max(0, usable - api)
        ingress = max(16, proxied / 4)
        services = max(16, proxied / 4)
    }

    /// Raises the soft descriptor limit to the hard one (what a daemon is allowed to use), and makes the budget
    /// from the result.
    static func raisingLimit() -> DescriptorBudget {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return DescriptorBudget(limit: 1024) }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        // An unlimited or huge hard limit is still bounded by what the kernel gives one process.
        return DescriptorBudget(limit: Int(min(limits.rlim_cur, 1 << 20)))
    }

    var description: String {
        "descriptor limit \(limit): \(reserve) reserved, connections: API \(api), Ingress \(ingress), "
            + "Services \(services)"
    }
}
