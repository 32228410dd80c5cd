package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.metrics.AlertPipelineMetrics;
import dev.peregrine.app.config.PeregrineConfig;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.kafka.KafkaEventPublisher;
import dev.peregrine.collector.kafka.PublisherConfig;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peregrine collector --kafka …}: reads events like run or replay and publishes them to the events topic. */
@Command(name = "collector", mixinStandardHelpOptions = true,
        description = {"Reads events and publishes them to Kafka for `peregrine engine` (distributed mode).",
                "FILEs are merged by evt.time, as replay does; --follow tails files; --ingest takes events over",
                "HTTP as `peregrine run --ingest` does; otherwise stdin is read. Events wait in a disk spool until",
                "the broker acknowledges them, so a broker that is down loses nothing: they are sent in order",
                "when it returns. Prometheus metrics at http://127.0.0.1:8767/metrics by default."})
final class CollectorCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorCommand.class);
    private static final int QUEUE_CAPACITY = 8192;

    /** Beside run's 8766: the collector, engine and alerter of one host each have a port. */
    static final int DEFAULT_HTTP_PORT = 8767;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "NDJSON event files, merged by event time.")
    List<String> files = new ArrayList<>();

    @Option(names = "--follow", paramLabel = "FILE", description = "Follow this file as it grows (tail -F); repeatable.")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--key-field", paramLabel = "FIELD", defaultValue = "agent.session",
            description = {"The field whose value keys each record: a key's events share a partition, and so an "
                    + "engine task. Default: ${DEFAULT-VALUE}."})
    String keyField;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = PublisherConfig.DEFAULT_COMPRESSION,
            description = "none, gzip, snappy, lz4 or zstd. Default: ${DEFAULT-VALUE}.")
    String compression;

    @Option(names = "--event-spool-dir", paramLabel = "DIR", defaultValue = "peregrine-event-spool",
            description = {"Where events wait for the broker's acknowledgement (kept across restarts, sent first "
                    + "at the next start). Default: ${DEFAULT-VALUE}."})
    Path spoolDir;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "At the end of the input, how long to wait for the broker to take what is spooled. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--ingest",
            description = {"Take events over HTTP, as `peregrine run --ingest` does: POST /v1/events with a bearer "
                    + "token (tokens from --config; without one, a token is generated and printed at start)."})
    boolean ingest;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"Read the http and ingest sections of this peregrine.yaml (the HTTP address, ingest on or "
                    + "off, its tokens); options given on the command line win over the file."})
    Path config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    InputOptions input;

    @Mixin
    HttpOptions http;

    @Spec
    CommandSpec spec;

    /** Ingest clients from the config file. */
    private List<PeregrineConfig.Token> tokens = List.of();

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile EmbeddedPipeline running;

    /**
     * What a collector did.
     *
     * @param summary   events read (accepted and rejected) by the pipeline
     * @param published events the broker acknowledged
     * @param spooled   events still waiting in the disk spool at the end
     */
    record Outcome(PipelineSummary summary, long published, long spooled) {
    }

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            applyConfig(ConfigCommand.readOrRefuse(config), spec.commandLine().getParseResult());
        }
        input.validate();
        if (ingest && !files.isEmpty()) {
            throw new UsageException("--ingest reads until stopped and FILEs are replayed to their end: run a "
                    + "collector for each");
        }
        if (ingest && http.port(DEFAULT_HTTP_PORT) == 0) {
            throw new UsageException("--ingest needs the HTTP endpoint: give a --http-port other than 0");
        }
        final PublisherConfig publisher = publisherConfig();
        final List<EventSource> sources = new ArrayList<>();
        final EmbeddedPipeline.Ordering ordering;
        IngestServer ingestServer = null;
        EndpointSecurity security = null;
        if (!files.isEmpty()) {
            for (final String file : files) {
                sources.add(input.replaySource(file));
            }
            ordering = EmbeddedPipeline.Ordering.EVENT_TIME_MERGE;
        } else {
            for (final Path file : follow) {
                sources.add(input.format.followed(file, input.maxLineBytes));
            }
            if (ingest) {
                final PlatformAccessEvents platform = new PlatformAccessEvents();
                final List<TokenBinding> bindings = Ingest.bindingsOrGenerated(tokens, spec.commandLine().getErr(),
                        "collector");
                ingestServer = new IngestServer(bindings, IngestLimits.DEFAULTS, platform);
                // operator tokens read /metrics too, and a refused scrape is an event the engine alerts on
                security = http.security(bindings, platform::record);
                sources.add(ingestServer);
                // an ingest client claiming an identity outside its token's binding is an event the engine alerts on
                sources.add(platform);
            }
            if (follow.isEmpty() && !ingest) {
                sources.add(input.format.stdin(input.maxLineBytes));
            }
            ordering = EmbeddedPipeline.Ordering.ARRIVAL;
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        if (ingestServer != null) {
            Ingest.registerMetrics(registry, ingestServer);
        }
        final HttpEndpoint endpoint = security == null
                ? http.start(DEFAULT_HTTP_PORT, registry, ingestServer, () -> stopRequested.getCount() > 0)
                : http.start(DEFAULT_HTTP_PORT, registry, ingestServer, () -> stopRequested.getCount() > 0, security);
        final Outcome outcome;
        try {
            outcome = publish(publisher, sources, ordering, registry);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
        final var err = spec.commandLine().getErr();
        final PipelineSummary summary = outcome.summary();
        err.printf("collector: %d events read, %d rejected, %d published, %d still spooled%n",
                summary.eventsAccepted() + summary.eventsRejected(), summary.eventsRejected(), outcome.published(),
                outcome.spooled());
        err.flush();
        return summary.hadProblems() || outcome.spooled() > 0 ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
    }

    /** The publisher's settings from --kafka, --events-topic, --key-field, --compression and --event-spool-dir. */
    PublisherConfig publisherConfig() {
        try {
            final Map<String, Object> overrides = new HashMap<>();
            kafka.clientConfig().forEach((key, value) -> overrides.put(key.toString(), value));
            return PublisherConfig.of(kafka.bootstrap, spoolDir).withTopic(kafka.eventsTopic).withKeyField(keyField)
                    .withCompression(compression).withProducerOverrides(overrides);
        } catch (final IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Publishes what {@code sources} read until they end or {@link #stop()} is called, then waits up
     * to --drain-timeout for the broker to take what is spooled. Rejected lines go to --dead-letter;
     * the pipeline's and the publisher's counters are registered in {@code registry}.
     */
    Outcome publish(final PublisherConfig config, final List<EventSource> sources,
                    final EmbeddedPipeline.Ordering ordering, final PrometheusRegistry registry) throws Exception {
        try (KafkaEventPublisher publisher = openPublisher(config);
             LazyDeadLetter deadLetter = new LazyDeadLetter(input.deadLetter)) {
            registerMetrics(registry, publisher);
            final PrometheusRegistry pipelineRegistry = new PrometheusRegistry();
            // events read and rejected, by source and reason, as run counts them; not the pipeline's alert count,
            // always 0 here: where the alerter runs in the same process (run --kafka) it counts alerts by that name
            registry.register((MultiCollector) () -> pipelineRegistry.scrape(
                    name -> !name.startsWith(AlertPipelineMetrics.ALERTS)));
            // The same reading path as run and replay (source threads, event-time merge, rejections kept);
            // its one "detector" publishes instead of detecting.
            final EmbeddedPipeline pipeline = new EmbeddedPipeline(sources, List.of(new Publish(publisher)),
                    NO_ALERTS, deadLetter, new PipelineMetrics(pipelineRegistry), ordering, QUEUE_CAPACITY);
            running = pipeline;
            if (stopRequested.getCount() == 0) {
                pipeline.stop();
            }
            // a stop ends the reading; the JVM does not wait for the drain below: what the broker has not
            // acknowledged stays in the disk spool and goes first at the next start
            final PipelineSummary summary;
            try (StopOnShutdown shutdown = new StopOnShutdown("peregrine-collector-shutdown", this::stop,
                    Duration.ZERO)) {
                LOG.info("publishing to {} at {} (key {}, {})", config.topic(), kafka.bootstrap, keyField, compression);
                summary = pipeline.run();
            }
            if (!publisher.awaitDrained(drainTimeout)) {
                LOG.warn("{} events not yet acknowledged after {}; they stay in {} and go first at the next start",
                        publisher.spooled(), drainTimeout, config.spoolDirectory());
            }
            final long published = publisher.published();
            final long spooled = publisher.spooled();
            publisher.close(Duration.ZERO);
            if (deadLetter.used()) {
                LOG.warn("rejected lines were kept in {}", deadLetter.path());
            }
            return new Outcome(summary, published, spooled);
        }
    }

    /** Asks the sources to stop; {@link #publish} returns once what was read is spooled and, if it can be, sent. */
    void stop() {
        stopRequested.countDown();
        final EmbeddedPipeline pipeline = running;
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    /** Whether {@link #stop()} was called (rather than the input ending by itself). */
    boolean stopped() {
        return stopRequested.getCount() == 0;
    }

    /** What the publisher did, read when /metrics is scraped; the pipeline counts what was read and rejected. */
    private static void registerMetrics(final PrometheusRegistry registry, final KafkaEventPublisher publisher) {
        CounterWithCallback.builder().name("peregrine_events_spooled_total")
                .help("Events written to the collector's disk spool (every event is, before it is sent)")
                .callback(callback -> callback.call(publisher.accepted())).register(registry);
        CounterWithCallback.builder().name("peregrine_events_published_total")
                .help("Events the Kafka broker acknowledged")
                .callback(callback -> callback.call(publisher.published())).register(registry);
        GaugeWithCallback.builder().name("peregrine_event_spool_depth")
                .help("Events waiting in the collector's disk spool for the broker")
                .callback(callback -> callback.call(publisher.spooled())).register(registry);
        CounterWithCallback.builder().name("peregrine_publish_failures_total")
                .help("Send rounds that failed (broker unreachable or refusing); each is retried with backoff")
                .callback(callback -> callback.call(publisher.failedRounds())).register(registry);
        CounterWithCallback.builder().name("peregrine_event_spool_unreadable_total")
                .help("Spool lines that could not be read back and were dead-lettered beside the spool")
                .callback(callback -> callback.call(publisher.unreadable())).register(registry);
        GaugeWithCallback.builder().name("peregrine_kafka_connected")
                .help("1 when the collector's last send round to the broker succeeded, else 0")
                .callback(callback -> callback.call(publisher.connected() ? 1 : 0)).register(registry);
    }

    /** The http and ingest settings of the file whose option was not given on the command line. */
    private void applyConfig(final PeregrineConfig file, final ParseResult given) {
        http.applyConfig(file.http(), given);
        if (!given.hasMatchedOption("--ingest")) {
            file.ingest().enabled().ifPresent(on -> ingest = on);
        }
        tokens = file.ingest().tokens();
    }

    private static KafkaEventPublisher openPublisher(final PublisherConfig config) {
        try {
            return new KafkaEventPublisher(config);
        } catch (final IOException e) {
            throw new UsageException("cannot use event spool " + config.spoolDirectory() + ": " + e.getMessage());
        }
    }

    /** Hands each event to the publisher; a spool that cannot be written is a failure the pipeline counts. */
    private record Publish(KafkaEventPublisher publisher) implements Detector {
        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            try {
                publisher.publish(event);
            } catch (final IOException e) {
                throw new UncheckedIOException("event spool not writable", e);
            }
        }
    }

    /** The collector raises no alerts. */
    private static final AlertSink NO_ALERTS = alert -> {
    };
}
