package dev.peregrine.app;

import dev.peregrine.collector.source.EventSource;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        input.validate();
        final RuleSet rules = RuleFiles.load(output.rules);
        final List<EventSource> sources = new ArrayList<>();
        if (follow.isEmpty()) {
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
            LOG.info("monitoring {} with {} active rules", follow.isEmpty() ? "stdin" : follow, rules.activeRules().size());
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
