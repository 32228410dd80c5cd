package dev.peregrine.alerting.spool;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.webhook.Sleeper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reliable delivery around any sink: the one place that batches, retries and spools.
 *
 * <p>Alerts are collected into batches of {@code batchSize}, sent when full or {@code maxBatchDelay}
 * after the first alert. A batch is tried up to {@code maxAttempts} times with exponential
 * backoff and equal jitter; each alert's fate is its own ({@link BatchAlertSink#deliverAll}):
 * delivered, refused for good (dead-lettered, counted failed, never retried), or temporarily
 * failed. Alerts still failing after the last attempt are appended to the on-disk spool
 * ({@link AlertSpool}), and from then on every new alert goes behind them into the spool, so
 * order is kept. A background thread drains the spool in order, oldest first, in batches, backing
 * off between failed drains up to {@code maxBackoff}; the spool survives a restart and is drained
 * by the next sink opened on the same directory.
 *
 * <p>A full spool (more than {@code maxSpooled}) dead-letters the alert and counts it failed —
 * bounded, but never silent. {@link #deliver} does not throw for delivery failures: every alert
 * handed over is delivered, spooled or dead-lettered, and counted as such.
 *
 * <p>Plain sinks are delivered one by one ({@link BatchAlertSink#oneByOne}); a sink with retries
 * of its own (the webhook) should be configured with one attempt behind a spooling sink.
 * Thread-safe: {@link #deliver} and the drain thread take turns on one lock, so the wrapped sink
 * is still called from one thread at a time.
 */
public final class SpoolingSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolingSink.class);

    private final String name;
    private final BatchAlertSink delegate;
    private final SpoolConfig config;
    private final SinkMetrics metrics;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final AlertSpool spool;
    private final DeadLetters deadLetters;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService drainer;
    private final List<Alert> pending = new ArrayList<>();
    private long pendingSince;
    private long nextDrainAt;
    private int failedDrains;
    private boolean closed;
    private long delivered;
    private long retried;
    private long spooled;
    private long failed;
    private long unreadableCounted;

    /**
     * Wraps {@code delegate} (a {@link BatchAlertSink}, or any sink delivered one by one), spooling
     * into {@code config.directory()} and reporting to {@code metrics} ({@link SinkMetrics#NONE}
     * for none); starts the drain thread, which drains what a previous run left in the spool.
     *
     * @param name sink name for logs and metric labels, e.g. {@code elasticsearch}
     */
    public SpoolingSink(final String name, final AlertSink delegate, final SpoolConfig config,
                        final SinkMetrics metrics) throws IOException {
        this(name, delegate, config, metrics, Sleeper.REAL, new Random(), true);
    }

    /** As above with injected waits and randomness; {@code background} false leaves draining to {@link #flush()}. */
    SpoolingSink(final String name, final AlertSink delegate, final SpoolConfig config, final SinkMetrics metrics,
                 final Sleeper sleeper, final RandomGenerator random, final boolean background) throws IOException {
        this.name = name;
        this.delegate = BatchAlertSink.oneByOne(delegate);
        this.config = config;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.random = random;
        this.deadLetters = new DeadLetters(config.directory().resolve("dead-letter.ndjson"));
        this.spool = AlertSpool.open(config.directory(), deadLetters);
        metrics.spoolDepth(spool.depth());
        syncUnreadable();
        // nanoTime may be negative: "due now" must be relative to it, not to 0
        nextDrainAt = System.nanoTime();
        if (background) {
            drainer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                final Thread thread = new Thread(runnable, "peregrine-spool-" + name);
                thread.setDaemon(true);
                return thread;
            });
            final long tick = Math.max(50, Math.min(1000, config.maxBatchDelay().toMillis() / 2));
            drainer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        } else {
            drainer = null;
        }
    }

    /** Queues the alert into the current batch, or behind the spooled ones while the spool is not empty. */
    @Override
    public void deliver(final Alert alert) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("sink " + name + " is closed");
            }
            if (spool.depth() > 0) {
                toSpool(List.of(alert), "destination still down");
                return;
            }
            if (pending.isEmpty()) {
                pendingSince = System.nanoTime();
            }
            pending.add(alert);
            if (pending.size() >= config.batchSize()) {
                sendPending();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends the current batch (with retries) and tries once to drain the spool, then flushes the wrapped sink. */
    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            sendPending();
            if (spool.depth() > 0) {
                drain();
            }
            delegate.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Flushes, stops the drain thread and closes the spool and the wrapped sink; what is left stays spooled. */
    @Override
    public void close() throws IOException {
        if (drainer != null) {
            drainer.shutdown();
            try {
                drainer.awaitTermination(1, TimeUnit.MINUTES);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flush();
            } finally {
                closed = true;
                try {
                    spool.close();
                } finally {
                    delegate.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Alerts the destination accepted. */
    public long delivered() {
        return locked(() -> delivered);
    }

    /** Repeated attempts, counted per alert. */
    public long retried() {
        return locked(() -> retried);
    }

    /** Alerts written to the spool. */
    public long spooled() {
        return locked(() -> spooled);
    }

    /** Alerts dead-lettered: refused for good, spool full, or unreadable in the spool. */
    public long failed() {
        return locked(() -> failed);
    }

    /** Alerts waiting in the spool. */
    public long spoolDepth() {
        return locked(spool::depth);
    }

    /** Alerts waiting in memory for their batch. */
    public int pendingInBatch() {
        return locked(pending::size);
    }

    /** The sink's name, as in logs and metrics. */
    public String name() {
        return name;
    }

    /** The wait after failed attempt {@code attempt} (1-based): exponential, capped, equal jitter. */
    Duration backoff(final int attempt) {
        final long initial = config.initialBackoff().toNanos();
        final int shift = Math.min(Math.max(attempt - 1, 0), 62);
        final long exponential = initial > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : initial << shift;
        final long capped = Math.min(exponential, config.maxBackoff().toNanos());
        // equal jitter: spreads a fleet's retries yet never retries at once
        final long half = capped / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    /** One turn of the drain thread: sends a batch that waited long enough, drains when due. */
    void tick() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            final long now = System.nanoTime();
            if (!pending.isEmpty() && now - pendingSince >= config.maxBatchDelay().toNanos()) {
                sendPending();
            }
            if (spool.depth() > 0 && now - nextDrainAt >= 0) {
                drain();
            }
        } catch (final IOException | RuntimeException e) {
            // the spool file itself failed (disk full?): say so and try again next turn
            LOG.error("sink {}: delivery turn failed: {}", name, e.toString(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Sends the in-memory batch, retrying its temporary failures; what still fails is spooled. */
    private void sendPending() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        List<Alert> remaining = List.copyOf(pending);
        pending.clear();
        String lastReason = "";
        for (int attempt = 1; attempt <= config.maxAttempts() && !remaining.isEmpty(); attempt++) {
            if (attempt > 1) {
                retried += remaining.size();
                metrics.retried(remaining.size());
                if (!pause(backoff(attempt - 1))) {
                    break;
                }
            }
            final List<DeliveryResult> results = attempt(remaining);
            final List<Alert> again = new ArrayList<>();
            for (int i = 0; i < remaining.size(); i++) {
                final DeliveryResult result = results.get(i);
                if (settle(remaining.get(i), result)) {
                    continue;
                }
                lastReason = result.reason();
                again.add(remaining.get(i));
            }
            remaining = again;
        }
        if (!remaining.isEmpty()) {
            LOG.warn("sink {}: {} alerts not delivered after {} attempts ({}); spooling them", name,
                    remaining.size(), config.maxAttempts(), lastReason);
            toSpool(remaining, lastReason);
            nextDrainAt = System.nanoTime() + backoff(1).toNanos();
        }
    }

    /** Delivers from the spool head in order until it is empty or the destination fails again. */
    private void drain() throws IOException {
        while (spool.depth() > 0) {
            final long depthBefore = spool.depth();
            final List<Alert> batch = spool.peek(config.batchSize());
            syncUnreadable();
            if (batch.isEmpty()) {
                if (spool.depth() == depthBefore) {
                    // nothing readable and nothing skipped: the file changed under us; try again next turn
                    LOG.error("sink {}: spool claims {} alerts but none could be read", name, depthBefore);
                    return;
                }
                continue;
            }
            retried += batch.size();
            metrics.retried(batch.size());
            final List<DeliveryResult> results = attempt(batch);
            // only the settled prefix leaves the spool, so order holds when the rest is tried again
            int settled = 0;
            while (settled < batch.size() && settle(batch.get(settled), results.get(settled))) {
                settled++;
            }
            spool.remove(settled);
            metrics.spoolDepth(spool.depth());
            if (settled < batch.size()) {
                failedDrains++;
                final Duration wait = backoff(failedDrains);
                nextDrainAt = System.nanoTime() + wait.toNanos();
                // one warning per outage; the retries after it would only repeat it
                if (failedDrains == 1) {
                    LOG.warn("sink {}: destination still failing ({}); {} alerts spooled, retrying with backoff up "
                            + "to {}", name, results.get(settled).reason(), spool.depth(), config.maxBackoff());
                } else {
                    LOG.debug("sink {}: drain attempt {} failed ({}); {} alerts spooled, next try in {} ms", name,
                            failedDrains, results.get(settled).reason(), spool.depth(), wait.toMillis());
                }
                return;
            }
        }
        if (failedDrains > 0) {
            LOG.info("sink {}: destination is back, spool drained after {} failed attempts", name, failedDrains);
        }
        failedDrains = 0;
    }

    /** Counts a final outcome; false for a temporary failure, which the caller keeps. */
    private boolean settle(final Alert alert, final DeliveryResult result) throws IOException {
        switch (result.outcome()) {
            case DELIVERED:
                delivered++;
                metrics.delivered(1);
                return true;
            case PERMANENT:
                deadLetter(alert, "refused: " + result.reason());
                return true;
            default:
                return false;
        }
    }

    /** One try of the wrapped sink; a throw becomes a result for every alert. */
    private List<DeliveryResult> attempt(final List<Alert> alerts) {
        try {
            final List<DeliveryResult> results = delegate.deliverAll(alerts);
            if (results.size() != alerts.size()) {
                throw new IllegalStateException(alerts.size() + " alerts sent but " + results.size() + " results");
            }
            return results;
        } catch (final PermanentDeliveryException e) {
            return same(alerts.size(), DeliveryResult.permanent(e.getMessage()));
        } catch (final IOException | RuntimeException e) {
            return same(alerts.size(), DeliveryResult.temporary(e.toString()));
        }
    }

    private void toSpool(final List<Alert> alerts, final String reason) throws IOException {
        for (final Alert alert : alerts) {
            if (spool.depth() >= config.maxSpooled()) {
                deadLetter(alert, "spool full (" + config.maxSpooled() + " alerts) while: " + reason);
                continue;
            }
            spool.append(alert);
            spooled++;
            metrics.spooled(1);
        }
        metrics.spoolDepth(spool.depth());
    }

    private void deadLetter(final Alert alert, final String reason) throws IOException {
        failed++;
        metrics.failed(1);
        LOG.warn("sink {}: alert {} ({}) dead-lettered to {}: {}", name, alert.id(), alert.ruleId(),
                deadLetters.file(), reason);
        deadLetters.add(reason, alert);
    }

    /** Unreadable spool lines are dead-lettered by the spool itself; counts the new ones as failed. */
    private void syncUnreadable() {
        final long newlyUnreadable = spool.unreadable() - unreadableCounted;
        if (newlyUnreadable > 0) {
            failed += newlyUnreadable;
            metrics.failed(newlyUnreadable);
            unreadableCounted = spool.unreadable();
        }
    }

    private boolean pause(final Duration wait) {
        try {
            sleeper.sleep(wait);
            return true;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<DeliveryResult> same(final int size, final DeliveryResult result) {
        final List<DeliveryResult> results = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            results.add(result);
        }
        return results;
    }

    private <T> T locked(final Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
