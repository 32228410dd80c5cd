package dev.peregrine.app;

import dev.peregrine.alerting.metrics.AlertPipelineMetrics;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.streams.StreamsEngine;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code peregrine run --kafka BOOTSTRAP}: distributed mode in one process. What run reads is
 * published by the collector, detected on by the engine (Kafka Streams) and delivered from the
 * alerts topic by the alerter: the three commands' own classes, each with its command's defaults,
 * on run's HTTP endpoint. When the input ends by itself, run waits until the engine has committed
 * every event and the alerter has delivered the engine's alerts, so a replay through a cluster
 * prints all of its alerts before it exits.
 */
final class KafkaRun {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRun.class);
    private static final long SETTLE_POLL_MILLIS = 250;

    private final String bootstrap;
    private final InputOptions input;
    private final OutputOptions output;
    private final EngineOptions engine;
    private final EngineOptions.DetectionSettingsSource configDetections;

    /**
     * @param bootstrap        the cluster's bootstrap servers
     * @param input            run's input options: format, line limit, dead-letter file
     * @param output           run's rules and alert destinations
     * @param engine           run's detection options; with --state-dir DIR Kafka Streams keeps its state in DIR
     *                         and the event spool is DIR/event-spool
     * @param configDetections the config file's detections section, or null
     */
    KafkaRun(final String bootstrap, final InputOptions input, final OutputOptions output, final EngineOptions engine,
             final EngineOptions.DetectionSettingsSource configDetections) {
        this.bootstrap = bootstrap;
        this.input = input;
        this.output = output;
        this.engine = engine;
        this.configDetections = configDetections;
    }

    /**
     * Runs until the sources end (then until what they gave is delivered, at most the collector's
     * drain timeout) or until SIGINT/SIGTERM; alerts go to {@code stdout} and the other sinks of run.
     *
     * @param ingest the ingest API among {@code sources}, or null
     * @param port   run's HTTP port, 0 for none
     */
    int run(final List<EventSource> sources, final RuleSet rules, final IngestServer ingest, final String host,
            final int port, final EndpointSecurity security, final Writer stdout) throws Exception {
        final CollectorCommand collector = role(new CollectorCommand(), engine.stateDir == null ? List.of()
                : List.of("--event-spool-dir", engine.stateDir.resolve("event-spool").toString()));
        collector.input = input;
        final EngineCommand engineRole = role(new EngineCommand(), List.of());
        engineRole.engine = engine;
        engineRole.rules = output.rules;
        final AlerterCommand alerter = role(new AlerterCommand(), List.of());
        alerter.output = output;

        final PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        if (ingest != null) {
            Ingest.registerMetrics(registry, ingest);
        }
        final AlertPipelineMetrics pipeline = AlertPipelineMetrics.register(registry);
        final Monitor.AlertOutput alerts = AlerterCommand.alertOutput(output, stdout,
                new Monitor.OutputMetrics(PrometheusSinkMetrics.register(registry), pipeline));
        alerter.registerMetrics(registry, alerts);
        final HttpOptions http = new HttpOptions();
        http.httpHost = host;
        http.httpPort = port;
        StopOnShutdown shutdown = null;
        CompletableFuture<Integer> delivering = null;
        StreamsEngine streams = null;
        HttpEndpoint endpoint = null;
        try (GroupLag lag = engineRole.lag()) {
            endpoint = http.start(RunCommand.DEFAULT_HTTP_PORT, registry, ingest, () -> !collector.stopped(), security);
            streams = engineRole.start(rules, configDetections);
            EngineCommand.registerMetrics(registry, streams, lag);
            delivering = CompletableFuture.supplyAsync(() -> {
                try {
                    return alerter.deliver(pipeline.counting(alerts.sink()));
                } catch (final Exception e) {
                    throw new IllegalStateException("the alerter failed: " + e.getMessage(), e);
                }
            }, runnable -> {
                final Thread thread = new Thread(runnable, "peregrine-alerter");
                thread.setDaemon(true);
                thread.start();
            });
            shutdown = new StopOnShutdown("peregrine-kafka-run-shutdown", () -> {
                LOG.info("stopping: publishing what was read, then closing the engine and the alerter");
                collector.stop();
            }, Duration.ofSeconds(90));
            final CollectorCommand.Outcome outcome = collector.publish(collector.publisherConfig(), sources,
                    EmbeddedPipeline.Ordering.ARRIVAL, registry);
            boolean settled = true;
            if (!collector.stopped()) {
                settled = awaitSettled(streams, lag, alerter, collector.drainTimeout);
            }
            alerter.stop();
            final int alerterExit = delivering.get(1, TimeUnit.MINUTES);
            LOG.info("stopped: {} events read, {} rejected, {} published; engine: {} events, {} alerts; "
                            + "alerter: {} alerts delivered", outcome.summary().eventsAccepted(),
                    outcome.summary().eventsRejected(), outcome.published(), streams.counters().events(),
                    streams.counters().alerts(), alerter.consumed());
            final boolean problems = outcome.summary().hadProblems() || outcome.spooled() > 0 || !settled
                    || alerterExit != ExitCode.OK;
            return problems ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
        } finally {
            alerter.stop();
            if (streams != null) {
                streams.close(Duration.ofSeconds(30));
            }
            if (endpoint != null) {
                endpoint.close();
            }
            if (shutdown != null) {
                shutdown.close();
            }
        }
    }

    /**
     * Waits until every event published is committed by the engine's application (so detected on, its
     * alerts committed with it), none is held in a reorder buffer, and the alerter has read what this
     * engine wrote; false when that did not happen within {@code timeout}.
     */
    private static boolean awaitSettled(final StreamsEngine streams, final GroupLag lag, final AlerterCommand alerter,
                                        final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (lag.records() == 0 && streams.counters().heldEvents() == 0 && alerter.lag() == 0
                    && alerter.consumed() + alerter.deadLettered() >= streams.counters().alerts()) {
                return true;
            }
            Thread.sleep(SETTLE_POLL_MILLIS);
        }
        LOG.warn("the engine and the alerter did not finish within {}: {} events held, {} alerts written, {} read; "
                + "what is left is in Kafka and is delivered at the next start", timeout,
                streams.counters().heldEvents(), streams.counters().alerts(), alerter.consumed());
        return false;
    }

    /** A role's command with its own defaults (as its command line would have them), on this cluster. */
    private <T> T role(final T command, final List<String> more) {
        final List<String> args = new ArrayList<>(List.of("--kafka", bootstrap));
        args.addAll(more);
        return CommandLine.populateCommand(command, args.toArray(String[]::new));
    }
}
