package dev.peregrine.engine.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running distributed engine: one Kafka Streams client over {@link EngineTopology}, with
 * {@code processing.guarantee=exactly_once_v2}. Instances started with the same
 * {@code application.id} share the events topic's partitions.
 *
 * <pre>
 * Properties kafka = new Properties();
 * kafka.put("bootstrap.servers", bootstrap);
 * try (StreamsEngine engine = StreamsEngine.start(kafka, state -> new DetectionEngine(rules, program,
 *         BuiltInDetectors.create(settings, state), lateness), Topics.DEFAULT, EngineSettings.of(lateness))) {
 *     ... until shutdown
 * }
 * </pre>
 */
public final class StreamsEngine implements AutoCloseable {

    /** The {@code application.id} used when the configuration names none. */
    public static final String DEFAULT_APPLICATION_ID = "peregrine-engine";

    private static final Logger LOG = LoggerFactory.getLogger(StreamsEngine.class);

    private final KafkaStreams streams;
    private final EngineCounters counters;

    private StreamsEngine(final KafkaStreams streams, final EngineCounters counters) {
        this.streams = streams;
        this.counters = counters;
    }

    /**
     * Creates the absent topics, then starts the engine.
     *
     * @param kafkaConfig Kafka Streams configuration; {@code bootstrap.servers} required, {@code application.id}
     *                    defaults to {@value #DEFAULT_APPLICATION_ID}; the processing guarantee is always exactly-once v2
     * @throws IllegalStateException when the topics cannot be created
     */
    public static StreamsEngine start(final Properties kafkaConfig, final EngineFactory factory, final Topics topics,
                                      final EngineSettings settings) {
        final Properties config = streamsConfig(kafkaConfig);
        createTopics(config, topics);
        final EngineCounters counters = new EngineCounters();
        final KafkaStreams streams = new KafkaStreams(EngineTopology.build(factory, topics, settings, counters), config);
        streams.setUncaughtExceptionHandler(e -> {
            // A task that failed is rolled back to its last commit; a new thread takes it up again.
            LOG.error("stream thread failed, replacing it: {}", e.toString(), e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return new StreamsEngine(streams, counters);
    }

    /** The configuration the engine runs with: the caller's, plus exactly-once and the defaults. */
    static Properties streamsConfig(final Properties kafkaConfig) {
        final Properties config = new Properties();
        config.putAll(kafkaConfig);
        config.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Failures inside the engine are dead-lettered by the processor; anything else is logged and
        // counted by Kafka Streams (dropped-records metric) rather than stopping every partition.
        config.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName());
        return config;
    }

    /** Creates whichever of the three topics does not exist, with the configured partitions and replication. */
    static void createTopics(final Properties config, final Topics topics) {
        final Properties adminConfig = new Properties();
        final Set<String> adminKeys = AdminClientConfig.configNames();
        config.stringPropertyNames().stream().filter(adminKeys::contains)
                .forEach(key -> adminConfig.put(key, config.get(key)));
        try (Admin admin = Admin.create(adminConfig)) {
            final Set<String> existing = admin.listTopics().names().get();
            final List<NewTopic> missing = new ArrayList<>();
            for (final String topic : List.of(topics.events(), topics.alerts(), topics.deadLetter())) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, topics.partitions(), topics.replication()));
                }
            }
            for (final var created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get();
                    LOG.info("created topic {} ({} partitions)", created.getKey(), topics.partitions());
                } catch (final ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (final ExecutionException e) {
            throw new IllegalStateException("cannot create topics: " + e.getCause(), e.getCause());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** Kafka Streams' state of this client (RUNNING, REBALANCING, ERROR, …). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Events, alerts and dead letters of this instance's tasks. */
    public EngineCounters counters() {
        return counters;
    }

    /**
     * Closes the client, committing what was processed; waits up to {@code timeout}. Its partitions
     * move to the other instances when its group session expires ({@code session.timeout.ms}).
     * Events still in a reorder buffer ({@link EngineCounters#heldEvents()}) are not detected on:
     * stop the sources and wait for the idle flush first to avoid that.
     */
    public void close(final Duration timeout) {
        streams.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
