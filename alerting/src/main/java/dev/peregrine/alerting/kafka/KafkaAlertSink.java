package dev.peregrine.alerting.kafka;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.spool.BatchAlertSink;
import dev.peregrine.alerting.spool.DeliveryResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes alerts to a Kafka topic ({@code peregrine.alerts} by default): key = alert id, value =
 * the alert's Falco-compatible JSON ({@link AlertJson}), UTF-8. The id key sends every summary of
 * a deduplicated alert to the same partition, after its first version, and lets a compacted
 * topic keep only the newest count.
 *
 * <p>The producer is idempotent with {@code acks=all}: an acknowledged alert is on every in-sync
 * replica and a retried send is not written twice. {@link #deliverAll} sends a batch at once and
 * waits for each alert's acknowledgement, so each alert's fate is known exactly: delivered,
 * {@link DeliveryResult.Outcome#TEMPORARY temporary} (broker unreachable, no leader, not enough
 * replicas, timeout — retry or spool) or {@link DeliveryResult.Outcome#PERMANENT permanent}
 * (too large, invalid topic, not authorized — dead-letter). {@link #deliver} is a batch of one and
 * throws the matching {@code TemporaryDeliveryException}/{@code PermanentDeliveryException}.
 * Nothing is left in flight when these return; {@link #flush()} waits for acknowledgements all
 * the same.
 *
 * <p>A cluster that cannot be reached fails fast: {@code send} waits at most {@link #METADATA_WAIT}
 * for metadata, then the batch is a temporary failure; behind a {@code SpoolingSink} the alerts go
 * to the spool and the engine never waits on any of it. An acknowledgement is awaited up to the
 * delivery timeout (30 s by default, long enough for a leader election).
 *
 * <p>Not thread-safe: like every sink, called from one thread at a time.
 */
public final class KafkaAlertSink implements BatchAlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAlertSink.class);
    // the producer completes every send within delivery.timeout.ms; this only guards against a bug there
    private static final Duration ACK_WAIT_MARGIN = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Longest a send waits for the cluster's metadata ({@code max.block.ms}) before the batch fails
     * as temporary, capped by the delivery timeout; a producer setting {@code max.block.ms} overrides it.
     */
    public static final Duration METADATA_WAIT = Duration.ofSeconds(5);

    private final KafkaSinkConfig config;
    private final Supplier<Producer<String, String>> producers;
    private final AlertJson json = new AlertJson();
    private Producer<String, String> producer;
    private long delivered;
    private long failedTemporarily;
    private long failedPermanently;

    /**
     * A sink with its own producer, configured from {@code config}. Producer settings are checked
     * now (an invalid override is an {@link IllegalArgumentException} naming it); the producer
     * itself is made on first delivery, so a cluster whose name does not resolve yet (a
     * container still starting) is a temporary delivery failure, not a failed start.
     */
    public KafkaAlertSink(final KafkaSinkConfig config) {
        this(config, () -> new KafkaProducer<>(producerProperties(config), new StringSerializer(),
                new StringSerializer()));
        final Map<String, Object> checked = new HashMap<>(producerProperties(config));
        checked.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        checked.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try {
            new ProducerConfig(checked);
        } catch (final ConfigException e) {
            throw new IllegalArgumentException("Kafka sink: " + e.getMessage(), e);
        }
    }

    /** A sink whose producers come from {@code producers}: on first use, and again after a fatal producer error. */
    KafkaAlertSink(final KafkaSinkConfig config, final Supplier<Producer<String, String>> producers) {
        this.config = config;
        this.producers = producers;
    }

    /** The producer settings the sink uses: its guarantees, then the configured overrides. */
    public static Map<String, Object> producerProperties(final KafkaSinkConfig config) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "peregrine-alerts");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // at most 5 in flight keeps per-partition order under retries with idempotence
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression().kafkaName());
        // a short linger lets the alerts of one deliverAll share a request
        final long lingerMs = 5;
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        final long deliveryMs = config.deliveryTimeout().toMillis();
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, deliveryMs));
        // the producer requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(30_000, deliveryMs - lingerMs));
        // send() waits this long for metadata: a reachable cluster answers in milliseconds, an
        // unreachable one fails the batch after it and the spool takes over (the default is 60 s)
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(deliveryMs, METADATA_WAIT.toMillis()));
        props.putAll(config.producerOverrides());
        return props;
    }

    /**
     * Sends every alert, then waits for each acknowledgement; one result per alert, in order.
     * After an alert that could not even be handed to the producer (no metadata within the
     * timeout) the rest are not tried and are reported temporary, so a retry keeps the order.
     * Throws {@link TemporaryDeliveryException} when no alert was delivered for a temporary reason.
     */
    @Override
    public List<DeliveryResult> deliverAll(final List<Alert> alerts) throws IOException {
        if (producer == null) {
            try {
                producer = producers.get();
            } catch (final KafkaException e) {
                final String reason = "Kafka " + config.bootstrapServers() + ": cannot create the producer: "
                        + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
                return report(alerts, alerts.stream().map(a -> DeliveryResult.temporary(reason)).toList());
            }
        }
        final List<Future<RecordMetadata>> sends = new ArrayList<>(alerts.size());
        final DeliveryResult[] results = new DeliveryResult[alerts.size()];
        String notSent = null;
        for (int i = 0; i < alerts.size(); i++) {
            final Alert alert = alerts.get(i);
            if (notSent != null) {
                results[i] = DeliveryResult.temporary(notSent);
                sends.add(null);
                continue;
            }
            try {
                final Future<RecordMetadata> send = producer.send(new ProducerRecord<>(config.topic(), alert.id(),
                        json.toJson(alert)));
                if (!send.isDone()) {
                    sends.add(send);
                    continue;
                }
                // failed already: send() reports a metadata timeout as a failed future, not a throw;
                // the next alert would wait max.block.ms again, so the rest of the batch is not tried
                results[i] = awaitAck(send, System.nanoTime());
                sends.add(null);
                if (results[i].outcome() == DeliveryResult.Outcome.TEMPORARY) {
                    notSent = results[i].reason();
                }
            } catch (final KafkaException | IllegalStateException e) {
                results[i] = resultOf(e);
                sends.add(null);
                if (results[i].outcome() == DeliveryResult.Outcome.TEMPORARY) {
                    notSent = results[i].reason();
                }
            }
        }
        final long deadline = System.nanoTime() + config.deliveryTimeout().plus(ACK_WAIT_MARGIN).toNanos();
        try {
            // send now rather than after linger.ms; returns when every send is acknowledged or failed
            if (producer != null) {
                producer.flush();
            }
        } catch (final InterruptException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < alerts.size(); i++) {
            if (sends.get(i) != null) {
                results[i] = awaitAck(sends.get(i), deadline);
            }
        }
        return report(alerts, List.of(results));
    }

    /** Waits until every alert handed to the producer is acknowledged or failed. */
    @Override
    public void flush() throws IOException {
        if (producer == null) {
            return;
        }
        try {
            producer.flush();
        } catch (final InterruptException e) {
            throw new TemporaryDeliveryException("Kafka sink: interrupted while flushing", e);
        }
    }

    /** Flushes and closes the producer, waiting up to 10 s for outstanding acknowledgements. */
    @Override
    public void close() throws IOException {
        if (producer == null) {
            return;
        }
        try {
            producer.close(CLOSE_TIMEOUT);
        } catch (final KafkaException e) {
            throw new TemporaryDeliveryException("Kafka sink: closing the producer: " + e.getMessage(), e);
        }
    }

    /** Alerts the cluster acknowledged. */
    public long delivered() {
        return delivered;
    }

    /** Alerts not delivered for a reason that may pass. */
    public long failedTemporarily() {
        return failedTemporarily;
    }

    /** Alerts refused for good. */
    public long failedPermanently() {
        return failedPermanently;
    }

    /** The config this sink was built from. */
    public KafkaSinkConfig config() {
        return config;
    }

    /**
     * Whether a producer error means retrying the same alert cannot succeed: too large, invalid
     * topic or record, unserializable, not authenticated or not authorized.
     */
    static boolean isPermanent(final Throwable error) {
        return error instanceof RecordTooLargeException
                || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException
                || error instanceof InvalidRecordException
                || error instanceof SerializationException
                || error instanceof InvalidConfigurationException
                || error instanceof AuthenticationException
                || error instanceof AuthorizationException;
    }

    private DeliveryResult awaitAck(final Future<RecordMetadata> send, final long deadlineNanos) {
        try {
            send.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return DeliveryResult.delivered();
        } catch (final ExecutionException | CompletionException e) {
            return resultOf(e.getCause() == null ? e : e.getCause());
        } catch (final java.util.concurrent.TimeoutException e) {
            return DeliveryResult.temporary("no acknowledgement within " + config.deliveryTimeout());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.temporary("interrupted waiting for the acknowledgement");
        }
    }

    private DeliveryResult resultOf(final Throwable error) {
        final String reason = "Kafka " + config.topic() + ": " + error.getClass().getSimpleName() + ": "
                + error.getMessage();
        if (isPermanent(error)) {
            return DeliveryResult.permanent(reason);
        }
        if (!(error instanceof RetriableException) && !(error instanceof InterruptException)) {
            // a fatal producer error (fenced, out-of-order sequence, closed) fails every later
            // send too: start over with a fresh producer, and let the caller retry this alert
            replaceProducer(error);
        }
        return DeliveryResult.temporary(reason);
    }

    private void replaceProducer(final Throwable cause) {
        if (producer == null) {
            return;
        }
        LOG.warn("Kafka sink: replacing the producer after {}", cause.toString());
        try {
            producer.close(Duration.ZERO);
        } catch (final KafkaException e) {
            LOG.debug("Kafka sink: closing the failed producer: {}", e.toString());
        }
        // the next delivery makes a fresh one
        producer = null;
    }

    private List<DeliveryResult> report(final List<Alert> alerts, final List<DeliveryResult> results)
            throws TemporaryDeliveryException {
        int temporary = 0;
        String firstTemporary = null;
        for (int i = 0; i < results.size(); i++) {
            final DeliveryResult result = results.get(i);
            switch (result.outcome()) {
                case DELIVERED -> delivered++;
                case PERMANENT -> {
                    failedPermanently++;
                    LOG.warn("Kafka sink: alert {} ({}) refused for good: {}", alerts.get(i).id(),
                            alerts.get(i).ruleId(), result.reason());
                }
                case TEMPORARY -> {
                    failedTemporarily++;
                    temporary++;
                    if (firstTemporary == null) {
                        firstTemporary = result.reason();
                    }
                }
            }
        }
        if (temporary > 0) {
            // one line per batch: a cluster that is down must not flood the log per alert
            LOG.warn("Kafka sink: {} of {} alerts not delivered for now: {}", temporary, results.size(), firstTemporary);
        }
        if (temporary > 0 && temporary == results.size()) {
            throw new TemporaryDeliveryException(firstTemporary);
        }
        return results;
    }
}
