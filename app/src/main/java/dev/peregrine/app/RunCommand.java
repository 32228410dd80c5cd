package dev.peregrine.app;

import dev.peregrine.app.config.ConfigException;
import dev.peregrine.app.config.ConfigReader;
import dev.peregrine.app.config.PeregrineConfig;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.InputFormat;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.rules.RuleSet;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code peregrine run}: the live embedded monitor, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the monitor: reads events as they arrive, prints alerts as JSON lines on stdout.",
                "Reads NDJSON from stdin unless --follow names files; stops on SIGINT/SIGTERM or end of stdin.",
                "Prometheus metrics are served at http://127.0.0.1:8766/metrics by default."})
final class RunCommand implements Callable<Integer> {

    /** Spec §5: beside Falco's web server (8765) and falcosidekick (2801), never on them. */
    static final int DEFAULT_HTTP_PORT = 8766;

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--follow", paramLabel = "FILE",
            description = "Follow this NDJSON file as it grows (tail -F); repeatable. Default: read stdin.")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + DEFAULT_HTTP_PORT,
            description = "Port of the metrics endpoint; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "${env:PEREGRINE_HTTP_HOST:-127.0.0.1}",
            description = "Address the metrics endpoint listens on (env PEREGRINE_HTTP_HOST). Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"Read settings from this peregrine.yaml (see docs/peregrine.example.yaml). Options given "
                    + "on the command line win over the file."})
    Path config;

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean stdin = follow.isEmpty();
        if (config != null) {
            stdin = applyConfig(readConfig(config));
        }
        input.validate();
        final RuleSet rules = RuleFiles.load(output.rules);
        final List<EventSource> sources = new ArrayList<>();
        if (stdin) {
            sources.add(input.format.stdin(input.maxLineBytes));
        }
        for (final Path file : follow) {
            sources.add(input.format.followed(file, input.maxLineBytes));
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        final PipelineMetrics metrics = new PipelineMetrics(registry);
        final HTTPServer http = startHttp(registry);
        final CountDownLatch finished = new CountDownLatch(1);
        try (Monitor monitor = Monitor.assemble(sources, rules, input, output, spec.commandLine().getOut(), metrics,
                EmbeddedPipeline.Ordering.ARRIVAL, List.of())) {
            final Thread stopper = new Thread(() -> {
                LOG.info("stopping: draining events already read");
                monitor.stop();
                awaitQuietly(finished);
            }, "peregrine-shutdown");
            Runtime.getRuntime().addShutdownHook(stopper);
            final String inputs = stdin ? (follow.isEmpty() ? "stdin" : "stdin and " + follow) : follow.toString();
            LOG.info("monitoring {} with {} active rules", inputs, rules.activeRules().size());
            final PipelineSummary summary = monitor.run();
            removeQuietly(stopper);
            LOG.info("stopped: {} events, {} rejected, {} alerts", summary.eventsAccepted(),
                    summary.eventsRejected(), summary.alerts());
            monitor.deadLetterWritten().ifPresent(path -> LOG.warn("rejected lines were kept in {}", path));
            return summary.hadProblems() ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
        } finally {
            finished.countDown();
            if (http != null) {
                http.close();
            }
        }
    }

    private static PeregrineConfig readConfig(final Path file) {
        try {
            return ConfigReader.withSystemEnvironment().read(file);
        } catch (final ConfigException e) {
            throw new UsageException("configuration not usable:" + System.lineSeparator() + e.getMessage());
        }
    }

    /**
     * Takes every setting of the file whose option was not given on the command line.
     *
     * @return whether stdin is read
     */
    private boolean applyConfig(final PeregrineConfig file) {
        final ParseResult given = spec.commandLine().getParseResult();
        if (!given.hasMatchedOption("--http-host")) {
            file.http().host().ifPresent(host -> httpHost = host);
        }
        if (!given.hasMatchedOption("--http-port")) {
            file.http().port().ifPresent(port -> httpPort = port);
        }
        if (!given.hasMatchedOption("--follow")) {
            follow = new ArrayList<>(file.inputs().follow());
        }
        if (!given.hasMatchedOption("--format")) {
            file.inputs().format().ifPresent(format -> input.format = InputFormat.valueOf(format.toUpperCase(Locale.ROOT)));
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
                    .map(hook -> (hook.slack() ? "slack:" : "") + hook.url()).collect(Collectors.toCollection(ArrayList::new));
        }
        if (!given.hasMatchedOption("--syslog") && !file.alerts().syslog().isEmpty()) {
            output.syslogs = new ArrayList<>(file.alerts().syslog());
        }
        return follow.isEmpty() || file.inputs().stdin().orElse(false);
    }

    private HTTPServer startHttp(final PrometheusRegistry registry) {
        if (httpPort == 0) {
            return null;
        }
        try {
            final HTTPServer server = HTTPServer.builder().hostname(httpHost).port(httpPort).registry(registry)
                    .buildAndStart();
            LOG.info("metrics at http://{}:{}/metrics", httpHost, server.getPort());
            return server;
        } catch (final IOException e) {
            throw new UsageException("cannot listen on " + httpHost + ":" + httpPort + " (" + e.getMessage()
                    + "); choose another --http-port, or 0 to turn the endpoint off");
        }
    }

    /** The input ended by itself: no need to stop anything at JVM exit. */
    private static void removeQuietly(final Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; it only waits for us
        }
    }

    private static void awaitQuietly(final CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
