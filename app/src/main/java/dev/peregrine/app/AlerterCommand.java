package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.metrics.AlertPipelineMetrics;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import dev.peregrine.alerting.spool.AlertRecord;
import dev.peregrine.engine.streams.DeadLetterHeaders;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peregrine alerter --kafka …}: delivers the alerts topic through the same alert pipeline and sinks as run. */
@Command(name = "alerter", mixinStandardHelpOptions = true,
        description = {"Consumes the alerts topic (distributed mode) and delivers the alerts as `peregrine run` does:",
                "redaction, deduplication, stdout, --alerts-file and the network sinks, each behind its spool.",
                "Alerters with the same --group-id share the partitions. Stops on SIGINT/SIGTERM.",
                "Prometheus metrics at http://127.0.0.1:8769/metrics by default."})
final class AlerterCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(AlerterCommand.class);
    private static final int LOGGED_DEAD_LETTERS = 20;

    /** Beside run's 8766, the collector's 8767 and the engine's 8768. */
    static final int DEFAULT_HTTP_PORT = 8769;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "peregrine-alerter",
            description = "Consumer group: alerters in one group share the alerts. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "6s",
            converter = DurationConverter.class,
            description = "How soon a dead alerter's partitions move to the others. Default: ${DEFAULT-VALUE}.")
    Duration sessionTimeout;

    @Mixin
    OutputOptions output;

    @Mixin
    HttpOptions http;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong lag = new AtomicLong(-1);
    private volatile KafkaConsumer<String, byte[]> consumer;

    @Override
    public Integer call() throws Exception {
        final PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        final AlertPipelineMetrics pipeline = AlertPipelineMetrics.register(registry);
        final Monitor.AlertOutput alerts = alertOutput(output, spec.commandLine().getOut(),
                new Monitor.OutputMetrics(PrometheusSinkMetrics.register(registry), pipeline));
        registerMetrics(registry, alerts);
        final HttpEndpoint endpoint = http.start(DEFAULT_HTTP_PORT, registry, null, () -> stopRequested.getCount() > 0);
        try {
            return deliver(pipeline.counting(alerts.sink()));
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /** Run's alert pipeline and the sinks of {@code output}, as the alerter delivers through them. */
    static Monitor.AlertOutput alertOutput(final OutputOptions output, final java.io.Writer stdout,
                                           final Monitor.OutputMetrics metrics) {
        return Monitor.alertOutput(output, stdout, metrics, List.of(), null,
                // alerts are keyed by session: each partition is in event-time order, the partitions together are not
                DeduplicatingSink.Clock.PER_SESSION);
    }

    /** What the alerter did, and what its alert pipeline did beyond the per-sink and pipeline metrics. */
    void registerMetrics(final PrometheusRegistry registry, final Monitor.AlertOutput alerts) {
        CounterWithCallback.builder().name("peregrine_alerter_records_total")
                .help("Alert records read from the alerts topic and handed to the alert pipeline")
                .callback(callback -> callback.call(consumed.get())).register(registry);
        CounterWithCallback.builder().name("peregrine_alerter_dead_letters_total")
                .help("Alert records that could not be read, sent to the dead-letter topic")
                .callback(callback -> callback.call(deadLettered.get())).register(registry);
        GaugeWithCallback.builder().name("peregrine_alerter_lag_records")
                .help("Committed alert records on this alerter's partitions not yet read (as of its last poll)")
                .callback(callback -> {
                    final long records = lag.get();
                    if (records >= 0) {
                        callback.call(records);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("peregrine_alerts_unrouted_total")
                .help("Alerts that no configured route took, so no sink received them")
                .callback(callback -> callback.call(alerts.routing() == null ? 0 : alerts.routing().unrouted()))
                .register(registry);
    }

    /**
     * Reads the alerts topic and delivers every alert to {@code sink} until {@link #stop()}, then
     * closes it. Unreadable records go to the dead-letter topic. Offsets are committed after
     * delivery, so a crash re-delivers rather than loses (the sinks are idempotent by alert id).
     */
    int deliver(final AlertSink sink) throws Exception {
        final AlertRecord reader = new AlertRecord();
        final StopOnShutdown shutdown = new StopOnShutdown("peregrine-alerter-shutdown", this::stop,
                Duration.ofSeconds(60));
        long failures = 0;
        try (KafkaConsumer<String, byte[]> alertConsumer = new KafkaConsumer<>(consumerConfig(),
                new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> deadLetters = new KafkaProducer<>(producerConfig(),
                     new StringSerializer(), new ByteArraySerializer())) {
            consumer = alertConsumer;
            if (stopRequested.getCount() == 0) {
                return ExitCode.OK;
            }
            alertConsumer.subscribe(List.of(kafka.alertsTopic));
            LOG.info("alerter {} delivering {} from {}", groupId, kafka.alertsTopic, kafka.bootstrap);
            while (stopRequested.getCount() > 0) {
                final ConsumerRecords<String, byte[]> records;
                try {
                    records = alertConsumer.poll(Duration.ofMillis(500));
                } catch (final WakeupException stopping) {
                    break;
                }
                for (final ConsumerRecord<String, byte[]> record : records) {
                    final Alert alert;
                    try {
                        alert = reader.decode(new String(record.value() == null ? new byte[0] : record.value(),
                                StandardCharsets.UTF_8));
                    } catch (final IOException e) {
                        deadLetter(deadLetters, record, e.getMessage());
                        continue;
                    }
                    try {
                        sink.deliver(alert);
                    } catch (final IOException e) {
                        // network sinks spool rather than fail: this is stdout or the alerts file, already logged there
                        failures++;
                        LOG.error("alert {} not delivered: {}", alert.id(), e.toString());
                    }
                    consumed.incrementAndGet();
                }
                if (!records.isEmpty()) {
                    deadLetters.flush();
                    // delivered (or spooled) before committed: a crash re-delivers, and sinks are idempotent by id
                    alertConsumer.commitSync();
                }
                lag.set(lag(alertConsumer));
            }
        } finally {
            consumer = null;
            try {
                sink.close();
            } finally {
                // before the shutdown hook is released: on SIGTERM the JVM halts as soon as it returns
                LOG.info("alerter stopped: {} alerts consumed, {} dead-lettered", consumed.get(), deadLettered.get());
                shutdown.close();
            }
        }
        return failures > 0 ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
    }

    /** Records not yet read on the assigned partitions, from the consumer's last fetch; -1 while any is unknown. */
    private static long lag(final KafkaConsumer<String, byte[]> consumer) {
        final java.util.Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (final TopicPartition partition : assigned) {
            final java.util.OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isEmpty()) {
                return -1;
            }
            total += partitionLag.getAsLong();
        }
        return total;
    }

    /** Asks a running alerter to stop; {@link #call()} returns once it has closed its sinks. */
    void stop() {
        stopRequested.countDown();
        final KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    /** Alert records read and handed to the pipeline. */
    long consumed() {
        return consumed.get();
    }

    /** Committed alert records on the assigned partitions not yet read, as of the last poll; -1 when unknown. */
    long lag() {
        return lag.get();
    }

    /** Alert records that could not be read and went to the dead-letter topic. */
    long deadLettered() {
        return deadLettered.get();
    }

    private void deadLetter(final KafkaProducer<String, byte[]> producer, final ConsumerRecord<String, byte[]> record,
                            final String reason) {
        final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, "malformed_alert", reason, record.topic(), record.partition(), record.offset(),
                hostName(), record.value());
        producer.send(new ProducerRecord<>(kafka.deadLetterTopic, null, record.key(), record.value(), headers));
        if (deadLettered.incrementAndGet() <= LOGGED_DEAD_LETTERS) {
            LOG.warn("alert record {}-{}@{} is unreadable ({}); sent to {}", record.topic(), record.partition(),
                    record.offset(), reason, kafka.deadLetterTopic);
        }
    }

    private Map<String, Object> consumerConfig() {
        final Map<String, Object> config = new HashMap<>();
        kafka.clientConfig().forEach((key, value) -> config.put(key.toString(), value));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // only alerts of committed engine transactions: an aborted attempt's alerts are re-raised by the retry
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                (int) Math.max(500, sessionTimeout.toMillis() / 3));
        return config;
    }

    private Map<String, Object> producerConfig() {
        final Map<String, Object> config = new HashMap<>();
        kafka.clientConfig().forEach((key, value) -> config.put(key.toString(), value));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    private static String hostName() {
        final String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (final IOException e) {
            return "unknown";
        }
    }
}
