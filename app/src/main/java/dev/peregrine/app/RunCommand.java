package dev.peregrine.app;

import dev.peregrine.alerting.metrics.AlertPipelineMetrics;
import dev.peregrine.alerting.metrics.PrometheusArchiveMetrics;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.redaction.RedactionPattern;
import dev.peregrine.app.config.ConfigReader;
import dev.peregrine.app.config.PeregrineConfig;
import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.app.console.Console;
import dev.peregrine.app.console.KibanaLink;
import dev.peregrine.app.console.RunningRules;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.MemoryCheckHandler;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.procfs.ProcfsSource;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.memory.MemoryAuditMetrics;
import dev.peregrine.engine.memory.MemoryJudge;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.Reload;
import dev.peregrine.engine.state.StateStore;
import dev.peregrine.collector.source.InputFormat;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.rules.RuleSet;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code peregrine run}: the live embedded monitor, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the monitor: reads events as they arrive, prints alerts as JSON lines on stdout.",
                "Reads stdin unless --follow, --ingest or --procfs says otherwise (at a terminal, watches this host's",
                "processes); stops on SIGINT/SIGTERM, or when every input has ended.",
                "Prometheus metrics are served at http://127.0.0.1:8766/metrics by default, to a metrics or operator",
                "token (or to anyone with --metrics-open); --tls-cert/--tls-key or http.tls serve HTTPS."})
final class RunCommand implements Callable<Integer> {

    /** Spec §5: beside Falco's web server (8765) and falcosidekick (2801), never on them. */
    static final int DEFAULT_HTTP_PORT = 8766;

    /** Where run keeps learned state when neither --state-dir nor the config file says. */
    static final Path DEFAULT_STATE_DIR = Path.of("peregrine-state");

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--follow", paramLabel = "FILE",
            description = "Follow this file as it grows (tail -F); repeatable. Default: read stdin.")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--procfs",
            description = {"Watch this host's processes through /proc (an execve event per new process, a procexit "
                    + "per ended one). On by default when nothing else is read and stdin is a terminal."})
    boolean procfs;

    @Option(names = "--ingest",
            description = {"Take events over HTTP: POST /v1/events with a bearer token (tokens come from the "
                    + "config file; without one, a token is generated and printed at start)."})
    boolean ingest;

    @Option(names = "--no-console",
            description = {"Do not serve the analyst console (the page at / and the /v1/alerts, /v1/agents, "
                    + "/v1/suppressions and /v1/rules/{id} API). It is on whenever --ingest is, behind the same tokens."})
    boolean noConsole;

    /** Where the console links alerts in Kibana's Discover: {@code alerts.elasticsearch.kibana_url} of the config file. */
    private URI kibanaUrl;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + DEFAULT_HTTP_PORT,
            description = "Port of the HTTP endpoint (metrics, health, ingest); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "${env:PEREGRINE_HTTP_HOST:-127.0.0.1}",
            description = "Address the HTTP endpoint listens on (env PEREGRINE_HTTP_HOST). Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Mixin
    TlsOptions tlsOptions;

    @Option(names = "--metrics-open",
            description = {"Serve /metrics without a token (for a scraper that cannot send one). Default: /metrics "
                    + "needs http.metrics_token (env PEREGRINE_METRICS_TOKEN) or an operator token."})
    boolean metricsOpen;

    /** The certificate and key of http.tls, when the config file has them. */
    private TlsIdentity tls;

    /** The dedicated /metrics token: http.metrics_token of the config file, else PEREGRINE_METRICS_TOKEN. */
    private String metricsToken = System.getenv("PEREGRINE_METRICS_TOKEN");

    @Option(names = "--no-rules-watch",
            description = {"Do not reload the rules when a rule file changes (they still reload on SIGHUP and "
                    + "POST /v1/rules/reload). Default: watch the files given with --rules."})
    boolean noRulesWatch;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,…]",
            description = {"Distributed mode in one process: publish what is read to Kafka at these bootstrap "
                    + "servers, detect on it with Kafka Streams and deliver the alerts topic, as `peregrine "
                    + "collector`, `engine` and `alerter` do with their defaults (topics peregrine.events, "
                    + "peregrine.alerts, peregrine.deadletter). The console, rule reloads, memory checks, the gate "
                    + "and the event archive are the embedded monitor's and are off."})
    String kafka;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"Read settings from this peregrine.yaml (see docs/peregrine.example.yaml). Options given "
                    + "on the command line win over the file."})
    Path config;

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandSpec spec;

    /** Whether stdin is read; decided from the options and the config file. */
    private boolean stdin;

    /** Ingest clients from the config file. */
    private List<PeregrineConfig.Token> tokens = List.of();

    /** The config file's detections section, if it has one. */
    private EngineOptions.DetectionSettingsSource configDetections;

    /** The PreToolUse gate of {@code peregrine hook --gate}, when ingest is on; its rules follow reloads. */
    private ClaudeCodeGate claudeCodeGate;

    @Override
    public Integer call() throws Exception {
        final ParseResult given = spec.commandLine().getParseResult();
        stdin = follow.isEmpty() && !ingest && !procfs;
        if (config != null) {
            applyConfig(ConfigCommand.readOrRefuse(config), given);
        }
        if (tlsOptions.given()) {
            tls = tlsOptions.identity();
        }
        if (!stdin && follow.isEmpty() && !ingest && !procfs) {
            throw new UsageException("nothing to read: give --follow FILE, --ingest or --procfs, or read stdin");
        }
        if (stdin && follow.isEmpty() && !ingest && !procfs && System.console() != null) {
            // `peregrine run` typed at a terminal: nobody is going to type events, so watch this host
            stdin = false;
            procfs = true;
        }
        if (ingest && httpPort == 0) {
            throw new UsageException("--ingest needs the HTTP endpoint: give a --http-port other than 0");
        }
        input.validate();
        final RuleSet rules = RuleFiles.load(output.rules);
        final List<EventSource> sources = new ArrayList<>();
        final List<String> described = new ArrayList<>();
        if (stdin) {
            sources.add(input.format.stdin(input.maxLineBytes));
            described.add("stdin");
        }
        for (final Path file : follow) {
            sources.add(input.format.followed(file, input.maxLineBytes));
            described.add(file.toString());
        }
        if (procfs) {
            sources.add(new ProcfsSource());
            described.add("this host's processes (/proc)");
        }
        // accesses to the monitor itself (rule reloads, spoofed ingest) are events its rules alert on
        final PlatformAccessEvents platform = new PlatformAccessEvents();
        if (kafka != null) {
            final List<TokenBinding> bearers = ingest ? ingestTokens() : configuredTokens();
            final IngestServer server = ingest ? new IngestServer(bearers, IngestLimits.DEFAULTS, platform) : null;
            if (server != null) {
                sources.add(server);
                described.add("HTTP ingest");
            }
            LOG.info("monitoring {} through Kafka at {} with {} active rules", String.join(", ", described), kafka,
                    rules.activeRules().size());
            return new KafkaRun(kafka, input, output, engine, configDetections).run(
                    PlatformInput.alongside(sources, platform), rules, server, httpHost, httpPort,
                    endpointSecurity(bearers, platform), spec.commandLine().getOut());
        }
        // run keeps what it learns by default: a restart must not put every agent back into warm-up
        final StateStore state = EngineOptions.stateStore(engine.stateDir == null ? DEFAULT_STATE_DIR : engine.stateDir);
        IngestServer ingestServer = null;
        Console console = null;
        // what the console shows at /v1/rules/{id}: the rules running now, replaced by each applied reload
        RunningRules running = null;
        List<TokenBinding> bearers = configuredTokens();
        if (ingest) {
            bearers = ingestTokens();
            ingestServer = new IngestServer(bearers, IngestLimits.DEFAULTS, platform);
            sources.add(ingestServer);
            described.add("HTTP ingest");
            if (!noConsole) {
                // the console's data is behind the ingest tokens, so it exists only where they do
                running = new RunningRules(rules);
                // Kibana shows what the Elasticsearch sink indexed: no sink, no link
                console = new Console(bearers, state, Clock.systemUTC(), platform, running,
                        output.elasticsearch == null || kibanaUrl == null ? null : new KibanaLink(kibanaUrl));
            }
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        final PipelineMetrics metrics = new PipelineMetrics(registry);
        GaugeWithCallback.builder().name("peregrine_platform_events_dropped")
                .help("Audit events of accesses to the monitor (ingest identity violations, rule reloads, console "
                        + "actions) that could not be queued")
                .callback(callback -> callback.call(platform.dropped())).register(registry);
        JvmMetrics.builder().register(registry);
        if (ingestServer != null) {
            Ingest.registerMetrics(registry, ingestServer);
        }
        final DetectionSettings settings = engine.settings(configDetections);
        final MemoryCheckHandler memoryCheck = memoryCheck(registry, ingestServer, settings);
        if (console != null) {
            console.registerMetrics(registry);
        }
        final HttpEndpoint http = startHttp(registry, ingestServer, memoryCheck, endpointSecurity(bearers, platform));
        if (http != null && console != null) {
            http.mount(console);
            LOG.info("analyst console at {}://{}:{}/", http.scheme(), httpHost, http.port());
        }
        if (http != null && ingestServer != null) {
            // PreToolUse verdicts for `peregrine hook --gate`; the hook asks only when told to
            claudeCodeGate = new ClaudeCodeGate(bearers, rules);
            http.mount(ClaudeCodeGate.PATH, claudeCodeGate);
        }
        StopOnShutdown shutdown = null;
        // the pipeline already counts raised alerts as peregrine_alerts_total; these add what happens after
        final Monitor.OutputMetrics outputMetrics = new Monitor.OutputMetrics(PrometheusSinkMetrics.register(registry),
                AlertPipelineMetrics.registerWithoutAlertCount(registry));
        final List<Detector> builtIns = new ArrayList<>(
                engine.builtInDetectors(settings, state, MemoryAuditMetrics.register(registry)));
        if (console != null) {
            builtIns.addAll(console.recorders());
        }
        final Monitor.Detections detections = new Monitor.Detections(builtIns, state, engine.allowedLateness);
        final Monitor.Review review = console == null ? null
                : new Monitor.Review(console.suppressions(), console.alertLog());
        try (Monitor monitor = Monitor.assemble(PlatformInput.alongside(sources, platform), rules, input, output,
                spec.commandLine().getOut(), metrics, outputMetrics, detections, EmbeddedPipeline.Ordering.ARRIVAL,
                List.of(), review);
             RuleWatcher watcher = reloadOnRequest(monitor, platform, registry, http, bearers,
                     running);
             // the configuration is audited too: the file loaded, and every later edit of it
             ConfigAudit configAudit = config == null ? null : ConfigAudit.start(config, platform::record,
                     Clock.systemUTC(), System.getProperty("user.name"), ConfigReader.withSystemEnvironment(), true)) {
            shutdown = new StopOnShutdown("peregrine-shutdown", () -> {
                LOG.info("stopping: draining events already read");
                monitor.stop();
            }, Duration.ofSeconds(10));
            registerMonitorMetrics(registry, monitor);
            LOG.info("monitoring {} with {} active rules", String.join(", ", described), rules.activeRules().size());
            final PipelineSummary summary = monitor.run();
            LOG.info("stopped: {} events, {} rejected, {} alerts", summary.eventsAccepted(),
                    summary.eventsRejected(), summary.alerts());
            monitor.deadLetterWritten().ifPresent(path -> LOG.warn("rejected lines were kept in {}", path));
            return summary.hadProblems() ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
        } finally {
            if (shutdown != null) {
                shutdown.close();
            }
            if (http != null) {
                http.close();
            }
        }
    }

    /**
     * The rule files reload, through one {@link RuleReloader}, on {@code kill -HUP}, on
     * {@code POST /v1/rules/reload} (an operator's bearer token) and, unless --no-rules-watch, when
     * a rule file changes: loaded and compiled off the engine thread and swapped in between two
     * events; rules that do not load are logged with every error and the running rules stay.
     * Returns the file watcher, or null when there is none.
     */
    private RuleWatcher reloadOnRequest(final Monitor monitor, final PlatformAccessEvents platform,
                                        final PrometheusRegistry registry, final HttpEndpoint http,
                                        final List<TokenBinding> bearers, final RunningRules running) {
        final Supplier<LoadedRules> rules = gated(RuleFiles.reloading(output.rules));
        final Function<Supplier<LoadedRules>, Reload> engine = running == null ? monitor::reloadRules
                : running.tracking(monitor::reloadRules);
        final RuleReloader reloader = new RuleReloader(engine, rules, platform, registry);
        try {
            Signal.handle(new Signal("HUP"), signal -> reloader.reload(RuleReloader.Trigger.SIGHUP, "signal", null));
        } catch (final IllegalArgumentException unsupported) {
            // a platform without SIGHUP (Windows): reload needs a restart there
            LOG.debug("no SIGHUP on this platform: {}", unsupported.getMessage());
        }
        if (http != null) {
            http.mount(RulesReloadHandler.PATH, new RulesReloadHandler(reloader, bearers, Duration.ofMinutes(1)));
            if (bearers.stream().noneMatch(token -> IdentityPattern.ANY.equals(token.identity()))) {
                LOG.info("POST {} is refused to every client: no ingest token is bound to no identity (an operator's)",
                        RulesReloadHandler.PATH);
            }
        }
        if (noRulesWatch || output.rules.isEmpty()) {
            return null; // the shipped rules live in the jar: nothing to watch
        }
        try {
            return RuleWatcher.start(output.rules, RuleWatcher.DEFAULT_QUIET,
                    () -> reloader.reload(RuleReloader.Trigger.FILE, "rule file watch", null));
        } catch (final IOException | RuntimeException e) {
            LOG.warn("cannot watch the rule files ({}); they reload on SIGHUP and POST {} only", e.toString(),
                    RulesReloadHandler.PATH);
            return null;
        }
    }

    /** {@code rules}, also handed to the Claude Code gate (when there is one) each time they load. */
    private Supplier<LoadedRules> gated(final Supplier<LoadedRules> rules) {
        final ClaudeCodeGate gate = claudeCodeGate;
        return gate == null ? rules : () -> {
            final LoadedRules loaded = rules.get();
            gate.rules(loaded.rules());
            return loaded;
        };
    }

    /** What the assembled monitor counts beyond the pipeline: unrouted alerts and the event archive. */
    private static void registerMonitorMetrics(final PrometheusRegistry registry, final Monitor monitor) {
        CounterWithCallback.builder().name("peregrine_alerts_unrouted_total")
                .help("Alerts that no configured route took, so no sink received them")
                .callback(callback -> callback.call(monitor.alertsUnrouted())).register(registry);
        monitor.archive().ifPresent(archive -> PrometheusArchiveMetrics.register(registry, archive));
    }

    /**
     * {@code POST /v1/memory/check} under the ingest tokens, judging with the memory detection's
     * settings and the configured redaction on the HTTP threads; its answers counted in /metrics. None without
     * ingest.
     */
    private MemoryCheckHandler memoryCheck(final PrometheusRegistry registry, final IngestServer ingest,
                                                  final DetectionSettings settings) {
        if (ingest == null) {
            return null;
        }
        final MemoryCheckHandler handler = new MemoryCheckHandler(ingest, new MemoryJudge(settings.memoryAnomaly(),
                output.redactor()));
        CounterWithCallback.builder().name("peregrine_memory_checks_total")
                .help("Answers of POST /v1/memory/check: allow, flag, or the error of a refused request")
                .labelNames("outcome")
                .callback(callback -> handler.outcomes().forEach((outcome, count) -> callback.call(count, outcome)))
                .register(registry);
        return handler;
    }

    /** The configured ingest clients, or one generated token bound to any identity, printed once. */
    private List<TokenBinding> ingestTokens() {
        return Ingest.bindingsOrGenerated(tokens, spec.commandLine().getErr(), "run");
    }

    /** The ingest clients of the config file (none without one). */
    private List<TokenBinding> configuredTokens() {
        return Ingest.bindings(tokens);
    }

    /** Takes every setting of the file whose option was not given on the command line. */
    private void applyConfig(final PeregrineConfig file, final ParseResult given) {
        if (!given.hasMatchedOption("--http-host")) {
            file.http().host().ifPresent(host -> httpHost = host);
        }
        if (!given.hasMatchedOption("--http-port")) {
            file.http().port().ifPresent(port -> httpPort = port);
        }
        if (!given.hasMatchedOption("--tls-cert") && !given.hasMatchedOption("--tls-key")) {
            file.http().tls().ifPresent(identity -> tls = identity);
        }
        file.http().metricsToken().ifPresent(token -> metricsToken = token);
        if (!given.hasMatchedOption("--metrics-open")) {
            file.http().metricsOpen().ifPresent(open -> metricsOpen = open);
        }
        if (!given.hasMatchedOption("--follow")) {
            follow = new ArrayList<>(file.inputs().follow());
        }
        if (!given.hasMatchedOption("--procfs")) {
            file.inputs().procfs().ifPresent(on -> procfs = on);
        }
        if (!given.hasMatchedOption("--ingest")) {
            file.ingest().enabled().ifPresent(on -> ingest = on);
        }
        tokens = file.ingest().tokens();
        if (!given.hasMatchedOption("--state-dir")) {
            file.stateDir().ifPresent(dir -> engine.stateDir = dir);
        }
        configDetections = file.detections()
                .map(section -> new EngineOptions.DetectionSettingsSource(section.file(), section.yaml()))
                .orElse(null);
        if (!given.hasMatchedOption("--format")) {
            file.inputs().format().ifPresent(format -> input.format = InputFormat.of(format));
        }
        if (!given.hasMatchedOption("--max-line-bytes")) {
            file.inputs().maxLineBytes().ifPresent(max -> input.maxLineBytes = max);
        }
        if (!given.hasMatchedOption("--dead-letter")) {
            file.inputs().deadLetter().ifPresent(path -> input.deadLetter = path);
        }
        if (!given.hasMatchedOption("--rules") && !file.rules().isEmpty()) {
            output.rules = new ArrayList<>(file.rules());
        }
        if (!given.hasMatchedOption("--no-rules-watch")) {
            file.rulesWatch().ifPresent(watch -> noRulesWatch = !watch);
        }
        if (!given.hasMatchedOption("--no-stdout-alerts")) {
            file.alerts().stdout().ifPresent(stdout -> output.noStdoutAlerts = !stdout);
        }
        if (!given.hasMatchedOption("--alerts-file")) {
            file.alerts().file().ifPresent(path -> output.alertsFile = path);
        }
        if (!given.hasMatchedOption("--dedup-window")) {
            file.alerts().dedupWindow().ifPresent(window -> output.dedupWindow = window);
        }
        if (!given.hasMatchedOption("--webhook") && !file.alerts().webhooks().isEmpty()) {
            output.webhooks = file.alerts().webhooks().stream()
                    .map(hook -> (hook.slack() ? "slack:" : "") + hook.url())
                    .collect(Collectors.toCollection(ArrayList::new));
        }
        if (!given.hasMatchedOption("--syslog") && !file.alerts().syslog().isEmpty()) {
            output.syslogs = new ArrayList<>(file.alerts().syslog());
        }
        file.alerts().elasticsearch().ifPresent(es -> {
            if (!given.hasMatchedOption("--elasticsearch")) {
                output.elasticsearch = es.url();
            }
            if (!given.hasMatchedOption("--elasticsearch-index")) {
                es.index().ifPresent(index -> output.elasticsearchIndex = index);
            }
            es.apiKey().ifPresent(key -> output.elasticsearchApiKey = key);
            es.kibanaUrl().ifPresent(url -> kibanaUrl = url);
        });
        file.alerts().kafka().ifPresent(kafka -> {
            if (!given.hasMatchedOption("--kafka-alerts")) {
                output.kafkaAlerts = kafka.bootstrap();
            }
            if (!given.hasMatchedOption("--kafka-alerts-topic")) {
                kafka.topic().ifPresent(topic -> output.kafkaAlertsTopic = topic);
            }
        });
        if (!given.hasMatchedOption("--spool-dir")) {
            file.alerts().spoolDir().ifPresent(dir -> output.spoolDir = dir);
        }
        output.routes = file.alerts().routes();
        file.alerts().redaction().ifPresent(redaction -> {
            final List<RedactionPattern> patterns = new ArrayList<>();
            if (redaction.builtIns()) {
                patterns.addAll(RedactionPattern.defaults());
            }
            // the operator's own after the built-in ones: a built-in key shape keeps its readable prefix
            patterns.addAll(redaction.patterns());
            output.redactionPatterns = patterns;
        });
        file.archive().ifPresent(archive -> {
            if (!given.hasMatchedOption("--archive-dir")) {
                output.archiveDir = archive.directory();
            }
            archive.maxFileBytes().ifPresent(max -> output.archiveMaxFileBytes = max);
        });
        // stdin only when nothing else is read, unless the file asks for it too
        stdin = file.inputs().stdin().orElse(follow.isEmpty() && !ingest && !procfs);
    }

    /** TLS from --tls-cert/--tls-key or http.tls; /metrics for the metrics and operator tokens unless --metrics-open. */
    private EndpointSecurity endpointSecurity(final List<TokenBinding> bearers, final PlatformAccessEvents platform) {
        if (httpPort == 0) {
            return null;
        }
        return EndpointSecurity.of(Optional.ofNullable(tls), metricsOpen,
                Optional.ofNullable(metricsToken), bearers, platform::record, spec.commandLine().getErr());
    }

    private HttpEndpoint startHttp(final PrometheusRegistry registry, final IngestServer ingestServer,
                                   final MemoryCheckHandler memoryCheck, final EndpointSecurity security) {
        if (httpPort == 0) {
            return null;
        }
        try {
            final HttpEndpoint endpoint = HttpEndpoint.start(httpHost, httpPort, registry, ingestServer, memoryCheck,
                    security);
            LOG.info("metrics at {}://{}:{}/metrics ({}){}", endpoint.scheme(), httpHost, endpoint.port(),
                    security.metricsOpen() ? "open to anyone who can connect" : "bearer token",
                    ingestServer == null ? "" : ", ingest at POST /v1/events, memory checks at POST "
                            + MemoryCheckHandler.PATH);
            return endpoint;
        } catch (final IOException e) {
            throw new UsageException("cannot listen on " + httpHost + ":" + httpPort + " (" + e.getMessage()
                    + "); choose another --http-port, or 0 to turn the endpoint off");
        }
    }
}
