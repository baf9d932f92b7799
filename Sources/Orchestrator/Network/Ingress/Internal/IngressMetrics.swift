import Metrics

/// `gitopsd_ingress_requests_total{code="2xx"}`: responses the Ingress router sent, by status class.
///
/// The five counters are made once (not per request) so counting costs one atomic increment on the hot path.
enum IngressMetrics {
    private static let byClass: [Counter] = (1...5).map {
        Counter(label: "gitopsd_ingress_requests_total", dimensions: [("code", "\($0)xx")])
    }

    static func record(statusCode: Int) {
        let index = statusCode / 100 - 1
        guard byClass.indices.contains(index) else { return }
        byClass[index].increment()
    }
}
