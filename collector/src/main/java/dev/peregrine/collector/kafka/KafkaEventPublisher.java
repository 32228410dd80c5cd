package dev.peregrine.collector.kafka;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.EventJsonWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes normalized events to the events topic, keyed by a field ({@code agent.session} by
 * default), with an idempotent producer and {@code acks=all}.
 *
 * <p>{@link #publish} appends the event to an {@link EventSpool} on disk and returns; a sender
 * thread takes batches from the spool's head, sends them and removes them once every record of
 * the batch is acknowledged. So memory stays bounded whatever the broker does: while it is
 * unreachable events wait on disk, and when it returns they go out in the order they came,
 * before anything newer. A batch that failed is sent again from its first unacknowledged record
 * (at least once: records the broker took before the failure may arrive twice).
 */
public final class KafkaEventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final long IDLE_WAIT_MILLIS = 200;

    private final PublisherConfig config;
    private final EventSpool spool;
    private final Producer<String, byte[]> producer;
    private final EventJsonWriter writer = new EventJsonWriter();
    private final Thread sender;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failedRounds = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean connected = true;
    private boolean closed;

    /** Opens the spool (sending what an earlier run left first) and starts the sender thread. */
    public KafkaEventPublisher(final PublisherConfig config) throws IOException {
        this(config, new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer()));
    }

    /** As above, with a given producer (which the publisher closes). */
    KafkaEventPublisher(final PublisherConfig config, final Producer<String, byte[]> producer) throws IOException {
        this.config = config;
        this.spool = EventSpool.open(config.spoolDirectory());
        this.producer = producer;
        this.sender = new Thread(this::sendLoop, "peregrine-kafka-publisher");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * The producer settings: idempotent, {@code acks=all}, the configured compression, and timeouts
     * short enough that an unreachable broker shows in seconds (the spool holds the events meanwhile).
     */
    public static Map<String, Object> producerProperties(final PublisherConfig config) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(config.producerOverrides());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        return props;
    }

    /** Queues the event on disk for sending; fails only when the spool cannot be written. */
    public void publish(final Event event) throws IOException {
        if (!running) {
            throw new IllegalStateException("publisher is closed");
        }
        final Object key = event.get(config.keyField());
        spool.append(key == null ? null : key.toString(), writer.toBytes(event));
        accepted.incrementAndGet();
    }

    /** Events handed to {@link #publish}. */
    public long accepted() {
        return accepted.get();
    }

    /** Events the broker acknowledged. */
    public long published() {
        return published.get();
    }

    /** Events waiting in the spool for the broker. */
    public long spooled() {
        return spool.depth();
    }

    /** Send rounds that failed (the broker unreachable or refusing); each is retried with backoff. */
    public long failedRounds() {
        return failedRounds.get();
    }

    /** Spool lines that could not be read back and were dead-lettered beside the spool. */
    public long unreadable() {
        return spool.unreadable();
    }

    /** Whether the last send round succeeded. */
    public boolean connected() {
        return connected;
    }

    /** Waits up to {@code timeout} for the spool to empty; true when every event was acknowledged. */
    public boolean awaitDrained(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (spool.depth() > 0 && System.nanoTime() < deadline && sender.isAlive()) {
            Thread.sleep(20);
        }
        return spool.depth() == 0;
    }

    /**
     * Waits up to {@code drain} for the spool to empty, then stops the sender and closes the
     * producer; events still waiting stay in the spool for the next start. Closing again does nothing.
     */
    public synchronized void close(final Duration drain) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!awaitDrained(drain)) {
                LOG.warn("closing with {} events not yet acknowledged; they stay in {} for the next start",
                        spool.depth(), spool.directory());
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(10).toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } finally {
            spool.close();
        }
    }

    @Override
    public void close() throws IOException {
        close(Duration.ofSeconds(30));
    }

    private void sendLoop() {
        long backoffMillis = 100;
        while (running) {
            try {
                if (!spool.awaitRecords(IDLE_WAIT_MILLIS)) {
                    continue;
                }
                spool.force();
                final List<SpooledRecord> batch = spool.peek(config.batchSize());
                if (batch.isEmpty()) {
                    continue;
                }
                final int acked = send(batch);
                if (acked > 0) {
                    // counted before the spool empties, so whoever sees it drained sees them counted
                    published.addAndGet(acked);
                    spool.remove(acked);
                }
                if (acked == batch.size()) {
                    if (!connected) {
                        LOG.info("broker reachable again; {} events still spooled", spool.depth());
                    }
                    connected = true;
                    backoffMillis = 100;
                } else {
                    failedRounds.incrementAndGet();
                    Thread.sleep(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
                }
            } catch (final InterruptedException e) {
                if (running) {
                    Thread.currentThread().interrupt();
                }
                return;
            } catch (final IOException | RuntimeException e) {
                // The spool could not be read or written: nothing was removed, so the next round retries.
                LOG.error("event spool {}: {}", spool.directory(), e.toString(), e);
                failedRounds.incrementAndGet();
                try {
                    Thread.sleep(MAX_BACKOFF.toMillis());
                } catch (final InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Sends the batch; returns how many of its first records the broker acknowledged. */
    private int send(final List<SpooledRecord> batch) {
        final List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
        for (final SpooledRecord record : batch) {
            final Future<RecordMetadata> future = producer.send(
                    new ProducerRecord<>(config.topic(), record.key(), record.value()));
            sent.add(future);
            if (future.isDone() && failed(future) != null) {
                // e.g. no metadata within max.block.ms: each further send would wait as long again
                break;
            }
        }
        producer.flush();
        int acked = 0;
        for (final Future<RecordMetadata> future : sent) {
            final Throwable failure = failed(future);
            if (failure != null) {
                if (connected) {
                    LOG.warn("publishing to {} failed ({}); events spool in {} until the broker takes them",
                            config.topic(), failure.toString(), spool.directory());
                }
                connected = false;
                break;
            }
            acked++;
        }
        return acked;
    }

    private static Throwable failed(final Future<RecordMetadata> future) {
        try {
            future.get();
            return null;
        } catch (final ExecutionException e) {
            return e.getCause();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }
}
