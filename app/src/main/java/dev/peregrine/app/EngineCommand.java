package dev.peregrine.app;

import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.streams.EngineFactory;
import dev.peregrine.engine.streams.EngineSettings;
import dev.peregrine.engine.streams.StreamsEngine;
import dev.peregrine.engine.streams.Topics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code peregrine engine --kafka …}: the detection engine on Kafka Streams, one engine per partition task. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Runs the detection engine on Kafka Streams (distributed mode): reads the events topic,",
                "runs the same rules and built-in detections as `peregrine run`, writes alerts to the alerts topic",
                "(exactly once). Instances with the same --application-id share the partitions. Creates absent",
                "topics with --partitions partitions. Stops on SIGINT/SIGTERM.",
                "Prometheus metrics at http://127.0.0.1:8768/metrics by default."})
final class EngineCommand implements Callable<Integer> {

    /** Where Kafka Streams keeps its local state when --state-dir is not given. */
    static final Path DEFAULT_STATE_DIR = Path.of("peregrine-streams-state");

    /** Beside run's 8766 and the collector's 8767. */
    static final int DEFAULT_HTTP_PORT = 8768;

    private static final Logger LOG = LoggerFactory.getLogger(EngineCommand.class);

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE|DIR",
            description = "Rule file or directory of *.yaml files; repeatable. Replaces the shipped rules.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = StreamsEngine.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application id: instances with the same id share the work. "
                    + "Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of each topic created at start (the most engine tasks that can share the "
                    + "events). Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--replication", paramLabel = "N", defaultValue = "1",
            description = "Replication factor of each topic created at start. Default: ${DEFAULT-VALUE}.")
    short replication;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Stream threads of this instance. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "6s",
            converter = DurationConverter.class,
            description = {"How soon a dead instance's partitions move to the others (the group session timeout; "
                    + "the broker's minimum is 6s by default). Default: ${DEFAULT-VALUE}."})
    Duration sessionTimeout;

    @Option(names = "--idle-after", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = {"A partition without events for this long releases its reorder buffer and its event "
                    + "clock runs on with the wall clock, so windows and silence detections fire. "
                    + "Default: ${DEFAULT-VALUE}."})
    Duration idleAfter;

    @Mixin
    EngineOptions engine;

    @Mixin
    HttpOptions http;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile StreamsEngine running;

    @Override
    public Integer call() throws Exception {
        kafka.topics(partitions, replication); // refused before anything listens or connects
        final RuleSet ruleSet = RuleFiles.load(rules);
        final PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        // before Kafka Streams starts: a port in use is a usage error, not an engine half started
        final HttpEndpoint endpoint = http.start(DEFAULT_HTTP_PORT, registry, null, this::healthy);
        try (GroupLag lag = lag()) {
            final StreamsEngine streams = start(ruleSet, null);
            registerMetrics(registry, streams, lag);
            return awaitStop(streams);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /**
     * Creates the absent topics and starts Kafka Streams on them with the rules of {@code ruleSet}
     * and the built-in detections (settings from --detections, else {@code configDetections}, else
     * the defaults).
     */
    StreamsEngine start(final RuleSet ruleSet, final EngineOptions.DetectionSettingsSource configDetections) {
        final Topics topics = kafka.topics(partitions, replication);
        final CepProgram program = RuleFiles.cepProgram(ruleSet);
        final DetectionSettings settings = engine.settings(configDetections);
        final Duration lateness = engine.allowedLateness;
        // Each task gets engines of its own over its own changelogged store; the rules and program are shared, immutable.
        final EngineFactory factory = state -> new DetectionEngine(ruleSet, program,
                engine.builtInDetectors(settings, state), lateness);
        final EngineSettings engineSettings;
        try {
            engineSettings = new EngineSettings(lateness, idleAfter, Duration.ofSeconds(1),
                    EngineSettings.of(lateness).host());
        } catch (final IllegalArgumentException e) {
            throw new UsageException("--idle-after / --allowed-lateness: " + e.getMessage());
        }
        final StreamsEngine streams;
        try {
            streams = StreamsEngine.start(streamsConfig(), factory, topics, engineSettings);
        } catch (final IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new UsageException("cannot start the engine on " + kafka.bootstrap + ": " + e.getMessage());
        }
        running = streams;
        LOG.info("engine {} on {}: {} active rules, reading {}", applicationId, kafka.bootstrap,
                ruleSet.activeRules().size(), topics.events());
        return streams;
    }

    /** The lag of this engine's application (all its instances) on the events topic. */
    GroupLag lag() {
        return new GroupLag(kafka.clientConfig(), applicationId, kafka.eventsTopic);
    }

    /** Runs until {@link #stop()} or until Kafka Streams fails, then closes it. */
    private int awaitStop(final StreamsEngine streams) throws InterruptedException {
        final StopOnShutdown shutdown = new StopOnShutdown("peregrine-engine-shutdown", this::stop,
                Duration.ofSeconds(60));
        try {
            while (!stopRequested.await(1, TimeUnit.SECONDS)) {
                final KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    LOG.error("Kafka Streams stopped ({}); exiting", state);
                    break;
                }
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
            LOG.info("engine stopped: {} events, {} alerts, {} dead letters", streams.counters().events(),
                    streams.counters().alerts(), streams.counters().deadLetters());
            shutdown.close();
        }
        return stopRequested.getCount() == 0 ? ExitCode.OK : ExitCode.INPUT_PROBLEMS;
    }

    /** Healthy while Kafka Streams runs or is rebalancing (not yet started counts as not healthy). */
    private boolean healthy() {
        final StreamsEngine streams = running;
        if (streams == null) {
            return false;
        }
        final KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    /**
     * What this instance's stream tasks did, and the lag of the application on the events topic
     * (read from the broker when /metrics is scraped; absent while the broker does not answer).
     */
    static void registerMetrics(final PrometheusRegistry registry, final StreamsEngine streams, final GroupLag lag) {
        CounterWithCallback.builder().name("peregrine_engine_events_total")
                .help("Events read from the events topic and handed to this instance's engines")
                .callback(callback -> callback.call(streams.counters().events())).register(registry);
        CounterWithCallback.builder().name("peregrine_engine_alerts_total")
                .help("Alerts this instance wrote to the alerts topic (an aborted transaction's are written again)")
                .callback(callback -> callback.call(streams.counters().alerts())).register(registry);
        CounterWithCallback.builder().name("peregrine_engine_dead_letters_total")
                .help("Event records this instance could not read or process, sent to the dead-letter topic")
                .callback(callback -> callback.call(streams.counters().deadLetters())).register(registry);
        GaugeWithCallback.builder().name("peregrine_engine_held_events")
                .help("Events read but still in a reorder buffer, not yet seen by the detections")
                .callback(callback -> callback.call(streams.counters().heldEvents())).register(registry);
        GaugeWithCallback.builder().name("peregrine_engine_running")
                .help("1 while Kafka Streams is running or rebalancing, else 0")
                .callback(callback -> {
                    final KafkaStreams.State state = streams.state();
                    callback.call(state == KafkaStreams.State.RUNNING
                            || state == KafkaStreams.State.REBALANCING ? 1 : 0);
                }).register(registry);
        GaugeWithCallback.builder().name("peregrine_engine_lag_records")
                .help("Events on the events topic the engine's application has not yet committed (all instances)")
                .callback(callback -> {
                    final long records = lag.records();
                    if (records >= 0) {
                        callback.call(records);
                    }
                }).register(registry);
    }

    /** Asks a running engine to stop; {@link #call()} returns once Kafka Streams has closed. */
    void stop() {
        stopRequested.countDown();
    }

    /** The running engine, or null before it started. */
    StreamsEngine streams() {
        return running;
    }

    private Properties streamsConfig() {
        final Properties config = kafka.clientConfig();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG,
                (engine.stateDir == null ? DEFAULT_STATE_DIR : engine.stateDir).toAbsolutePath().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 3));
        return config;
    }
}
