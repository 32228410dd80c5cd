package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.FanOutSink;
import dev.peregrine.alerting.archive.ArchiveConfig;
import dev.peregrine.alerting.archive.EventArchive;
import dev.peregrine.alerting.archive.HourlyFileArchive;
import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.alerting.dedup.DedupObserver;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import dev.peregrine.alerting.jsonl.RotatingJsonLinesSink;
import dev.peregrine.alerting.metrics.AlertPipelineMetrics;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.redaction.RedactingSink;
import dev.peregrine.alerting.routing.Route;
import dev.peregrine.alerting.routing.RoutingSink;
import dev.peregrine.alerting.suppress.SuppressingSink;
import dev.peregrine.alerting.suppress.SuppressionList;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.proctree.ProcessTreeEnricher;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.Reload;
import dev.peregrine.engine.reload.ReloadableEngine;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.state.InMemoryStateStore;
import dev.peregrine.engine.state.StateStore;
import dev.peregrine.collector.ndjson.EventJsonWriter;
import dev.peregrine.engine.time.ReorderBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The embedded monitor as {@code run} and {@code replay} both assemble it: sources, the loaded
 * rules, the alert sinks and the dead-letter file around one {@link EmbeddedPipeline}.
 */
final class Monitor implements AutoCloseable {

    private static final int QUEUE_CAPACITY = 8192;

    private final EmbeddedPipeline pipeline;
    private final AlertSink sink;
    private final LazyDeadLetter deadLetter;
    private final DeduplicatingSink dedup;
    private final ReloadableEngine engine;
    private final RoutingSink routing;
    private final HourlyFileArchive archive;

    private Monitor(final EmbeddedPipeline pipeline, final AlertSink sink, final LazyDeadLetter deadLetter,
                    final DeduplicatingSink dedup, final ReloadableEngine engine, final RoutingSink routing,
                    final HourlyFileArchive archive) {
        this.pipeline = pipeline;
        this.sink = sink;
        this.deadLetter = deadLetter;
        this.dedup = dedup;
        this.engine = engine;
        this.routing = routing;
        this.archive = archive;
    }

    /**
     * Loads {@code rules} afresh off the engine thread and swaps them in between two events; rules
     * that do not load leave the running ones in place. What the built-in detections learned is
     * kept, and so is the CEP state of every cep item the reload leaves unchanged.
     */
    Reload reloadRules(final Supplier<LoadedRules> rules) {
        return engine.reload(rules);
    }

    /**
     * Wires a monitor around the rules; they are already loaded, so a broken rule file fails
     * before any input is read. {@code moreSinks} receive every alert as it is raised, before
     * deduplication.
     */
    static Monitor assemble(final List<EventSource> sources, final RuleSet rules, final InputOptions input,
                            final OutputOptions output, final Writer stdout, final PipelineMetrics metrics,
                            final EmbeddedPipeline.Ordering ordering, final List<AlertSink> moreSinks) {
        return assemble(sources, rules, input, output, stdout, metrics, null, Detections.rulesOnly(), ordering,
                moreSinks);
    }

    /**
     * Where a live monitor counts what happens to alerts after they are raised.
     *
     * @param sinks    per-sink deliveries, retries, spooling and spool depth
     * @param pipeline suppressed repeats, summaries and event-to-delivery latency
     */
    record OutputMetrics(PrometheusSinkMetrics sinks, AlertPipelineMetrics pipeline) {
    }

    /**
     * What the detection stage runs after the rule files' rules and cep items.
     *
     * @param builtIns         built-in detectors, in order
     * @param state            where they keep what they learn; closed (final snapshot) when the pipeline stops
     * @param allowedLateness  how late an event may arrive and still be sorted into event-time order
     */
    record Detections(List<Detector> builtIns, StateStore state, Duration allowedLateness) {

        /** The rule files alone: what {@code rules test} checks. */
        static Detections rulesOnly() {
            return new Detections(List.of(), new InMemoryStateStore(), ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        }
    }

    /**
     * What the analyst console adds to the alert path.
     *
     * @param suppressions applied to every alert before deduplication (a suppressed alert is counted, not delivered)
     * @param log          receives every delivered alert, after deduplication (so summaries update their alert)
     *                     and whatever the routes say (the console shows everything)
     */
    record Review(SuppressionList suppressions, AlertSink log) {
    }

    /**
     * As above, with the built-in detections, and with per-sink delivery counters and alert
     * pipeline metrics in {@code outputMetrics} (null for none).
     */
    static Monitor assemble(final List<EventSource> sources, final RuleSet rules, final InputOptions input,
                            final OutputOptions output, final Writer stdout, final PipelineMetrics metrics,
                            final OutputMetrics outputMetrics, final Detections detections,
                            final EmbeddedPipeline.Ordering ordering, final List<AlertSink> moreSinks) {
        return assemble(sources, rules, input, output, stdout, metrics, outputMetrics, detections, ordering, moreSinks,
                null);
    }

    /** As above, with the analyst console's suppressions and alert log in {@code review} (null for none). */
    static Monitor assemble(final List<EventSource> sources, final RuleSet rules, final InputOptions input,
                            final OutputOptions output, final Writer stdout, final PipelineMetrics metrics,
                            final OutputMetrics outputMetrics, final Detections detections,
                            final EmbeddedPipeline.Ordering ordering, final List<AlertSink> moreSinks,
                            final Review review) {
        final AlertOutput alerts = alertOutput(output, stdout, outputMetrics, moreSinks, review);
        final List<Detector> afterRules = new ArrayList<>(detections.builtIns());
        if (alerts.dedup() != null) {
            // after every detector, and inside the engine so it sees the same (reordered) event time:
            // the window clock moves only after the event's own alerts were deduplicated
            afterRules.add(new DedupClock(alerts.dedup()));
        }
        afterRules.add(new StateSnapshots(detections.state()));
        final HourlyFileArchive archive = openArchive(output);
        if (archive != null) {
            afterRules.add(new Archiving(archive));
        }
        // reloadable: run swaps in new rules on SIGHUP without losing what the detections learned
        final ReloadableEngine engine = new ReloadableEngine(new LoadedRules(rules, RuleFiles.cepProgram(rules)),
                afterRules, detections.allowedLateness());
        final List<Detector> detectors = List.of(engine);
        final LazyDeadLetter deadLetter = new LazyDeadLetter(input.deadLetter);
        // one set of trees for all sources: a host's processes may be reported by more than one of them
        final ProcessTrees trees = ProcessTrees.withDefaults();
        final List<EventSource> enriched = sources.stream()
                .<EventSource>map(source -> new ProcessTreeEnricher(source, trees))
                .toList();
        final EmbeddedPipeline pipeline = new EmbeddedPipeline(enriched, detectors, alerts.sink(), deadLetter, metrics,
                ordering, QUEUE_CAPACITY);
        return new Monitor(pipeline, alerts.sink(), deadLetter, alerts.dedup(), engine, alerts.routing(), archive);
    }

    /**
     * Where raised alerts go: redacted, then to {@code moreSinks} as raised and, deduplicated when
     * configured, to the destinations of {@code output} along their routes.
     *
     * @param sink    the outermost sink; closing it closes every destination
     * @param dedup   the deduplicating stage, or null when dedup is off
     * @param routing the routing stage, or null when no route is configured
     */
    record AlertOutput(AlertSink sink, DeduplicatingSink dedup, RoutingSink routing) {
    }

    /**
     * The alert pipeline and sinks of {@code output} (stdout, alerts file, network sinks behind
     * spools, routes, dedup, redaction), as a monitor uses them and as the distributed alerter does.
     */
    static AlertOutput alertOutput(final OutputOptions output, final Writer stdout, final OutputMetrics outputMetrics,
                                   final List<AlertSink> moreSinks, final Review review) {
        return alertOutput(output, stdout, outputMetrics, moreSinks, review, DeduplicatingSink.Clock.GLOBAL);
    }

    /**
     * As above, with dedup windows ended by {@code dedupClock}: the distributed alerter's
     * partitions are ordered per session only, so it ends windows per session.
     */
    static AlertOutput alertOutput(final OutputOptions output, final Writer stdout, final OutputMetrics outputMetrics,
                                   final List<AlertSink> moreSinks, final Review review,
                                   final DeduplicatingSink.Clock dedupClock) {
        // by name: the names routes, spools and per-sink metrics use
        final Map<String, AlertSink> outputs = new LinkedHashMap<>();
        if (!output.noStdoutAlerts) {
            outputs.put("stdout", output.stdoutFormat().sink(stdout, output.stdoutColour()));
        }
        if (output.alertsFile != null) {
            try {
                outputs.put("file", RotatingJsonLinesSink.toFile(output.alertsFile, output.alertsFileRotation()));
            } catch (final IOException e) {
                throw new UsageException("cannot write alerts file " + output.alertsFile + ": " + e.getMessage());
            }
        }
        outputs.putAll(output.networkSinks(Peregrine.version(), outputMetrics == null ? null : outputMetrics.sinks()));
        final RoutingSink routing = output.routes.isEmpty() ? null : route(outputs, output.routes);
        AlertSink delivered = routing != null ? routing : new FanOutSink(List.copyOf(outputs.values()));
        if (review != null) {
            delivered = new FanOutSink(List.of(review.log(), delivered));
        }
        if (outputMetrics != null) {
            delivered = outputMetrics.pipeline().timing(delivered);
        }
        final Optional<DedupConfig> dedup = output.dedup();
        DeduplicatingSink deduplicating = null;
        if (dedup.isPresent()) {
            deduplicating = new DeduplicatingSink(delivered, dedup.get(),
                    outputMetrics == null ? DedupObserver.NONE : outputMetrics.pipeline().dedupObserver(), dedupClock);
            delivered = deduplicating;
        }
        if (review != null) {
            // before dedup: a suppressed repeat must not grow the count of an alert an analyst already saw
            delivered = new SuppressingSink(delivered, review.suppressions());
        }
        final List<AlertSink> all = new ArrayList<>(moreSinks);
        all.add(delivered);
        // outermost, so no sink, spool or dead-letter file ever holds a secret an agent put in a command line
        return new AlertOutput(new RedactingSink(new FanOutSink(all), output.redactor()), deduplicating, routing);
    }

    /**
     * Every sink behind its route; a sink no route names takes every alert. A route naming a sink
     * that is not configured is a usage error rather than a destination silently left dry.
     */
    private static RoutingSink route(final Map<String, AlertSink> outputs, final Map<String, Route> routes) {
        for (final String name : routes.keySet()) {
            if (!outputs.containsKey(name)) {
                throw new UsageException("alerts.routes." + name + ": no such alert sink in this run; the sinks are "
                        + String.join(", ", new TreeSet<>(outputs.keySet())));
            }
        }
        final RoutingSink.Builder builder = RoutingSink.builder();
        outputs.forEach((name, sink) -> builder.route(
                routes.getOrDefault(name, Route.atLeast(name, dev.peregrine.alerting.Priority.DEBUG)), sink));
        return builder.build();
    }

    private static HourlyFileArchive openArchive(final OutputOptions output) {
        if (output.archiveDir == null) {
            return null;
        }
        try {
            return HourlyFileArchive.open(new ArchiveConfig(output.archiveDir, output.archiveMaxFileBytes));
        } catch (final IOException | IllegalArgumentException e) {
            throw new UsageException("cannot use event archive " + output.archiveDir + ": " + e.getMessage());
        }
    }

    /**
     * Writes every event to the archive as the engine sees it, in event-time order after the
     * reorder buffer, and completes an hour's file once event time has left that hour.
     */
    private static final class Archiving implements Detector {
        private final EventArchive archive;
        private final EventJsonWriter json = new EventJsonWriter();

        Archiving(final EventArchive archive) {
            this.archive = archive;
        }

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            try {
                archive.append(event.timeNanos(), new String(json.toBytes(event), StandardCharsets.UTF_8));
            } catch (final IOException e) {
                // counted and logged by the pipeline as this detector's failure; the stream goes on
                throw new UncheckedIOException("archiving an event failed", e);
            }
        }

        @Override
        public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
            try {
                archive.advanceTo(eventTimeNanos);
            } catch (final IOException e) {
                throw new UncheckedIOException("completing an archive file failed", e);
            }
        }

        @Override
        public void close() {
            try {
                archive.close();
            } catch (final IOException e) {
                throw new UncheckedIOException("closing the event archive failed", e);
            }
        }
    }

    /** Moves the dedup windows forward with event time, so a quiet key's summary goes out when its window ends. */
    private record DedupClock(DeduplicatingSink dedup) implements Detector {
        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            try {
                dedup.advanceTo(event.timeNanos());
            } catch (final IOException e) {
                // the pipeline counts and logs this as a failure of this detector; the stream goes on
                throw new UncheckedIOException("delivering an alert summary failed", e);
            }
        }
    }

    /** Writes learned state as event time moves (at most once a period), and a last time when the pipeline stops. */
    private record StateSnapshots(StateStore state) implements Detector {
        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
        }

        @Override
        public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
            state.snapshotIfDue();
        }

        @Override
        public void close() {
            state.close();
        }
    }

    /** Runs until the sources end or {@link #stop()} is called. */
    PipelineSummary run() throws InterruptedException {
        return pipeline.run();
    }

    /** Asks the sources to stop; {@link #run()} returns once what was read is processed. */
    void stop() {
        pipeline.stop();
    }

    /** Alerts absorbed as repeats into an earlier alert's count (0 when dedup is off). */
    long alertsSuppressed() {
        return dedup == null ? 0 : dedup.suppressed();
    }

    /** Summary alerts (an earlier alert re-sent with its grown count) delivered so far. */
    long summariesDelivered() {
        return dedup == null ? 0 : dedup.summaries();
    }

    /** Alerts that no route took, so no sink received them (0 without routes). */
    long alertsUnrouted() {
        return routing == null ? 0 : routing.unrouted();
    }

    /** The event archive, when one was asked for. */
    Optional<HourlyFileArchive> archive() {
        return Optional.ofNullable(archive);
    }

    /** The dead-letter file, if anything was written to it. */
    java.util.Optional<java.nio.file.Path> deadLetterWritten() {
        return deadLetter.used() ? java.util.Optional.of(deadLetter.path()) : java.util.Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            sink.close();
        } finally {
            deadLetter.close();
        }
    }
}
