import ArgumentParser
import Foundation
import GitSource
import Logging
import Metrics
import Orchestrator
import Prometheus
import Reconciler
import ServiceLifecycle

/// `gitopsd serve`: the daemon. Follows one or more git sources and runs what they declare on this machine.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: follow a git repository and run what it declares.",
        discussion: """
            Without --repo (or --config), runs the orchestrator alone, so `gitopsd apply -f` beside it can drive \
            it. Stops on SIGTERM or SIGINT: polling first, then the API, then the workloads (which are stopped \
            unless --keep-workloads leaves them for the next start to adopt).
            """)

    @OptionGroup var source: SourceOptions

    @Option(help: "A configuration file naming several sources (see docs/daemon.md).")
    var config: String?

    @Option(help: "The source's name, written to the gitopsd.io/source label (default: the repository's name).")
    var name: String?

    @Option(help: "How often to poll the repository and re-check for drift (default 10s remote, 2s local).")
    var interval: DurationArgument?

    @Option(name: .customLong("api-address"), help: "Address of the health, metrics, status and webhook API.")
    var apiAddress: String = "127.0.0.1:7070"

    @OptionGroup var network: NetworkOptions

    @Option(name: .customLong("webhook-secret-file"), help: "File with the shared secret for /hooks/github and /hooks/gitlab.")
    var webhookSecretFile: String?

    @Flag(name: .customLong("keep-workloads"), help: "Leave pods running on exit, for the next start to adopt.")
    var keepWorkloads = false

    @Flag(name: .customLong("no-self-heal"), help: "Report drift (OutOfSync) instead of undoing it.")
    var noSelfHeal = false

    @Flag(name: .customLong("no-prune"), help: "Keep objects that the commit no longer declares.")
    var noPrune = false

    @Flag(name: .customLong("allow-empty"), help: "Accept commits with no manifests (pruning everything).")
    var allowEmpty = false

    @Option(
        name: .customLong("connection-idle-timeout"),
        help: "How long an API or Ingress client connection may sit idle (or take to send a request head) before it is closed.")
    var connectionIdleTimeout: DurationArgument?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        if config != nil && source.repo != nil { throw ValidationError("give either --repo or --config, not both") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
        _ = try HostAndPort(apiAddress)
    }

    func run() async throws {
        let dataDirectory = source.dataDir
        // The sources first: a mistake in them is reported before anything starts or binds.
        var specs: [SourceSpec] = []
        if let config {
            specs = try SourceSpec.load(configFile: config, dataDirectory: dataDirectory)
        } else if let repo = source.repo {
            specs = [
                SourceSpec(
                    name: name ?? SourceSpec.defaultName(for: repo), git: try source.gitConfiguration(),
                    interval: interval?.duration, prune: !noPrune, selfHeal: !noSelfHeal, allowEmpty: allowEmpty)
            ]
        }
        let lock = try DaemonLock(dataDirectory: dataDirectory)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in EscapingLogHandler.standardError(label: label, level: level) }
        let logger = Logger(label: "gitopsd")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let store: SQLiteObjectStore
        do {
            store = try SQLiteObjectStore(dataDirectory: dataDirectory)
        } catch {
            throw CLIError("cannot open the store in \(dataDirectory): \(error)")
        }
        let budget = DescriptorBudget.raisingLimit()
        let idleTimeout = connectionIdleTimeout?.duration ?? .seconds(60)
        var configuration = network.orchestratorConfiguration(dataDirectory: dataDirectory)
        configuration.network.ingressServer.maxConnections = budget.ingress
        configuration.network.ingressServer.idleTimeout = idleTimeout
        configuration.network.serviceProxy.maxConnections = budget.services
        let orchestrator: EmbeddedOrchestrator
        do {
            orchestrator = try EmbeddedOrchestrator(store: store, configuration: configuration, logger: logger)
            try await orchestrator.start()
        } catch {
            throw CLIError("cannot start the network: \(error)")
        }

        let reconciler = Reconciler(client: InProcessClusterClient(store: store))
        let history = SyncHistory(dataDirectory: dataDirectory)
        var controllers: [SourceController] = []
        for spec in specs {
            let gitSource: GitSource
            do {
                gitSource = try GitSource(spec.git, logger: logger)
            } catch {
                throw CLIError("source \(spec.name): \(error)")
            }
            controllers.append(
                SourceController(
                    source: gitSource, reconciler: reconciler, history: history,
                    configuration: SourceController.Configuration(
                        name: spec.name, interval: spec.interval ?? gitSource.defaultPollInterval, prune: spec.prune,
                        selfHeal: spec.selfHeal, allowEmpty: spec.allowEmpty),
                    logger: logger))
        }

        let webhooks = try webhookSecretFile.map { file in
            SecretFile.warnIfReadableByOthers(file, what: "webhook secret")
            return try WebhookVerifier(secretFile: file)
        } ?? WebhookVerifier(secret: nil)
        let api = APIServer.application(
            address: try HostAndPort(apiAddress), sources: controllers, registry: registry, webhooks: webhooks,
            limits: APIServer.Limits(connections: ConnectionLimit(maximum: budget.api), idleTimeout: idleTimeout),
            logger: logger)

        for spec in specs {
            logger.info(
                "following \(spec.git.repository) (\(spec.git.reference.map { "\($0)" } ?? "default branch")) path '\(spec.git.path)' as source \(spec.name)")
        }
        logger.info("\(budget)")
        if specs.isEmpty { logger.info("no source given: running the orchestrator alone (use gitopsd apply -f)") }
        logger.info(
            "API on http://\(apiAddress), Ingress on http://\(network.ingressAddress), data directory \(dataDirectory)")

        // Started in order, stopped in reverse: sources stop polling first, the workloads go last.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: OrchestratorService(orchestrator: orchestrator, keepWorkloads: keepWorkloads)),
                    .init(service: api),
                    .init(service: SourcesService(controllers: controllers)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        store.close()
        withExtendedLifetime(lock) {}
    }
}
