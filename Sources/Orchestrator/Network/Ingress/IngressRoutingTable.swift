/// Resolves an HTTP request (Host header and path) to a backend, following the Ingress matching rules.
///
/// Built once from resolved rules (merged from every Ingress object by the controller) and never mutated: the
/// Ingress server swaps a whole new table in when the rules change.
///
/// Matching, per request (host without port, path before `?`/`#`):
/// 1. Host: rules whose host equals the request host (case-insensitive) are used if any exist; otherwise rules
///    whose wildcard host `*.example.com` matches (exactly one extra leading label); otherwise rules without a
///    host. Only the most specific group is consulted (like ingress-nginx's server blocks).
/// 2. Path within that group: the longest matching `path` wins; on equal length `Exact` beats `Prefix`. `Exact`
///    compares the whole path (case-sensitive, `/foo` ≠ `/foo/`). `Prefix` (and `ImplementationSpecific`) matches
///    element-wise on `/`: `/foo` and `/foo/` both match `/foo`, `/foo/` and `/foo/bar`, never `/foobar`.
/// 3. Nothing matched: the default backend, if any; otherwise `nil` (the server answers 404).
public struct IngressRoutingTable: Sendable {
    /// How a rule path is compared with the request path (`pathType`, required in networking.k8s.io/v1).
    public enum PathType: String, Sendable, Hashable {
        case exact = "Exact"
        case prefix = "Prefix"
        /// Left to the controller; gitopsd treats it as ``prefix``.
        case implementationSpecific = "ImplementationSpecific"
    }

    /// One `http.paths[]` entry.
    public struct Path: Sendable, Hashable {
        public var path: String
        public var pathType: PathType
        public var route: IngressRoute

        public init(path: String, pathType: PathType, route: IngressRoute) {
            self.path = path
            self.pathType = pathType
            self.route = route
        }

        public init(path: String, pathType: PathType, backend: IngressBackend, rewriteTarget: String? = nil) {
            self.init(path: path, pathType: pathType, route: IngressRoute(backend: backend, rewriteTarget: rewriteTarget))
        }
    }

    /// One `spec.rules[]` entry: an optional host and its paths.
    public struct Rule: Sendable, Hashable {
        /// An exact host, a wildcard `*.example.com`, or `nil`/empty for every host.
        public var host: String?
        public var paths: [Path]

        public init(host: String? = nil, paths: [Path]) {
            self.host = host
            self.paths = paths
        }
    }

    /// A compiled path: matched in order, longest path first, `Exact` first on ties.
    private struct CompiledPath: Sendable {
        var exact: Bool
        /// For `Exact`, the path; for `Prefix`, the path without its trailing `/` (`/` stays `/`).
        var match: String
        var route: IngressRoute

        /// Compared as bytes: paths are ASCII on the wire (anything else is percent-encoded), and this runs for
        /// every request.
        func matches(_ requestPath: Substring.UTF8View) -> Bool {
            if exact { return requestPath.elementsEqual(match.utf8) }
            if isRoot { return true }
            let count = match.utf8.count
            guard requestPath.count >= count, requestPath.starts(with: match.utf8) else { return false }
            let rest = requestPath.dropFirst(count)
            return rest.first.map { $0 == UInt8(ascii: "/") } ?? true
        }

        var isRoot: Bool { match == "/" }
    }

    private let exactHosts: [String: [CompiledPath]]
    /// Keyed by the suffix after `*`, including the dot: `.example.com`.
    private let wildcardHosts: [String: [CompiledPath]]
    private let anyHost: [CompiledPath]
    /// The route used when no rule matches (`spec.defaultBackend`).
    public let defaultRoute: IngressRoute?

    /// An empty table: every request resolves to `nil`.
    public init() {
        self.init(rules: [], defaultRoute: nil)
    }

    /// Compiles `rules`; rules with the same host are merged. When two paths are identical (same path and type),
    /// the first listed wins.
    public init(rules: [Rule], defaultRoute: IngressRoute? = nil) {
        var exact: [String: [(Int, Path)]] = [:]
        var wildcard: [String: [(Int, Path)]] = [:]
        var any: [(Int, Path)] = []
        var order = 0
        for rule in rules {
            let host = (rule.host ?? "").lowercased()
            for path in rule.paths {
                order += 1
                if host.isEmpty {
                    any.append((order, path))
                } else if host.hasPrefix("*.") {
                    wildcard[String(host.dropFirst()), default: []].append((order, path))
                } else {
                    exact[host, default: []].append((order, path))
                }
            }
        }
        self.exactHosts = exact.mapValues(Self.compile)
        self.wildcardHosts = wildcard.mapValues(Self.compile)
        self.anyHost = Self.compile(any)
        self.defaultRoute = defaultRoute
    }

    /// The route for a request, or `nil` when nothing (not even a default backend) matches.
    ///
    /// - Parameters:
    ///   - host: the Host header (a port and a trailing dot are ignored; case-insensitive), or `nil`.
    ///   - path: the request target; anything from `?` or `#` on is ignored.
    public func route(host: String?, path: String) -> IngressRoute? {
        let requestPath = Self.pathOnly(path).utf8
        if let paths = paths(forHostHeader: host) {
            for candidate in paths where candidate.matches(requestPath) {
                return candidate.route
            }
        }
        return defaultRoute
    }

    /// Whether any rule names a host. Tables without (one catch-all Ingress, a common case) route on the path
    /// alone and need not look at the Host header at all.
    public var matchesHosts: Bool { !(exactHosts.isEmpty && wildcardHosts.isEmpty) }

    /// The paths of the most specific host group that matches the Host header.
    private func paths(forHostHeader header: String?) -> [CompiledPath]? {
        if matchesHosts {
            let host = Self.normalizedHost(header)
            if let paths = exactHosts[host] { return paths }
            if let dot = host.firstIndex(of: "."), dot != host.startIndex,
                let paths = wildcardHosts[String(host[dot...])]
            {
                return paths
            }
        }
        return anyHost.isEmpty ? nil : anyHost
    }

    /// The host of a Host header: without port, trailing dot or case. `[::1]:8080` gives `::1`.
    public static func normalizedHost(_ header: String?) -> String {
        guard var host = header?.trimmingASCIISpaces(), !host.isEmpty else { return "" }
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") {
                host = String(host[host.index(after: host.startIndex)..<close])
            }
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        return host.lowercased()
    }

    /// The path part of a request target: before `?` or `#`.
    static func pathOnly(_ target: String) -> Substring {
        if let end = target.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return target[..<end]
        }
        return target[...]
    }

    private static func compile(_ paths: [(Int, Path)]) -> [CompiledPath] {
        let sorted = paths.sorted { lhs, rhs in
            let (lorder, l) = lhs
            let (rorder, r) = rhs
            if l.path.utf8.count != r.path.utf8.count { return l.path.utf8.count > r.path.utf8.count }
            let lExact = l.pathType == .exact
            let rExact = r.pathType == .exact
            if lExact != rExact { return lExact }
            return lorder < rorder
        }
        return sorted.map { _, path in
            let exact = path.pathType == .exact
            var match = path.path.isEmpty ? "/" : path.path
            if !exact {
                while match.count > 1 && match.hasSuffix("/") { match.removeLast() }
            }
            return CompiledPath(exact: exact, match: match, route: path.route)
        }
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        var view = self[...]
        while view.first == " " || view.first == "\t" { view.removeFirst() }
        while view.last == " " || view.last == "\t" { view.removeLast() }
        return String(view)
    }
}
