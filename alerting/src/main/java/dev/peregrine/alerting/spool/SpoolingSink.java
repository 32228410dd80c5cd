package dev.peregrine.alerting.spool;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.webhook.Sleeper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reliable delivery around any sink: the one place that batches, retries and spools.
 *
 * <p>{@link #deliver} never waits on the destination: it puts the alert in an in-memory queue and
 * returns, so a destination that is down or hangs holds up neither the engine nor the other sinks.
 * A delivery thread takes the queue in batches of {@code batchSize}, sent when full or
 * {@code maxBatchDelay} after the first alert. A batch is tried up to {@code maxAttempts} times
 * with exponential backoff and equal jitter; each alert's fate is its own
 * ({@link BatchAlertSink#deliverAll}): delivered, refused for good (dead-lettered, counted failed,
 * never retried), or temporarily failed. Alerts still failing after the last attempt are appended
 * to the on-disk spool ({@link AlertSpool}), and from then on every queued alert goes behind them
 * into the spool, so order is kept. The delivery thread drains the spool in order, oldest first,
 * in batches, backing off between failed drains up to {@code maxBackoff}; the spool survives a
 * restart and is drained by the next sink opened on the same directory.
 *
 * <p>Two locks keep the engine off the network: the queue lock is held only to add or take alerts
 * (and, when the queue is full, for the local disk write that moves it to the spool); the delivery
 * lock is held across network calls, by the delivery thread, {@link #flush} and {@link #close}
 * only. If more than {@value #MAX_IN_MEMORY} alerts wait while one request hangs, {@link #deliver}
 * moves them to the spool itself (local disk, no network); should that request then fail, its
 * batch is spooled behind them — the one case where order gives way, and it is logged.
 *
 * <p>A full spool (more than {@code maxSpooled}) dead-letters the alert and counts it failed —
 * bounded, but never silent. {@link #deliver} does not throw for delivery failures: every alert
 * handed over is delivered, spooled or dead-lettered, and counted as such; alerts still queued in
 * memory at {@link #close} after its last attempt are spooled.
 *
 * <p>Plain sinks are delivered one by one ({@link BatchAlertSink#oneByOne}); a sink with retries
 * of its own (the webhook) should be configured with one attempt behind a spooling sink. The
 * wrapped sink is called from one thread at a time. Thread-safe.
 */
public final class SpoolingSink implements AlertSink {

    /** Most alerts queued in memory; past it {@link #deliver} moves the queue to the spool on disk. */
    static final int MAX_IN_MEMORY = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SpoolingSink.class);

    private final String name;
    private final BatchAlertSink delegate;
    private final SpoolConfig config;
    private final SinkMetrics metrics;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final ScheduledExecutorService drainer;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();

    // the engine's side: held only to add or take alerts, never across a network call
    private final ReentrantLock queueLock = new ReentrantLock();
    private final ArrayDeque<Alert> incoming = new ArrayDeque<>();
    private long incomingSince;
    private boolean closed;
    // alerts went to the spool past the in-memory bound while a request was in flight
    private boolean overflowed;

    // the destination's side: whoever talks to it holds this (delivery thread, flush, close)
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private long nextDrainAt;
    private int failedDrains;
    private boolean finished;

    // local disk only; taken after the queue lock when both are needed
    private final Object spoolLock = new Object();
    private final AlertSpool spool;
    private final DeadLetters deadLetters;
    private long unreadableCounted;
    private volatile long spoolDepth;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * Wraps {@code delegate} (a {@link BatchAlertSink}, or any sink delivered one by one), spooling
     * into {@code config.directory()} and reporting to {@code metrics} ({@link SinkMetrics#NONE}
     * for none); starts the delivery thread, which drains what a previous run left in the spool.
     *
     * @param name sink name for logs and metric labels, e.g. {@code elasticsearch}
     */
    public SpoolingSink(final String name, final AlertSink delegate, final SpoolConfig config,
                        final SinkMetrics metrics) throws IOException {
        this(name, delegate, config, metrics, Sleeper.REAL, new Random(), true);
    }

    /**
     * As above with injected waits and randomness; {@code background} false runs no delivery
     * thread: {@link #deliver} sends a full batch on the caller's thread and {@link #flush} drains.
     */
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
        synchronized (spoolLock) {
            spoolChanged();
            syncUnreadable();
        }
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

    /**
     * Queues the alert and returns: the delivery thread sends it (or spools it behind the spooled
     * ones). Waits on no network call; throws only when the sink is closed or the spool file
     * cannot be written.
     */
    @Override
    public void deliver(final Alert alert) throws IOException {
        final boolean batchReady;
        queueLock.lock();
        try {
            if (closed) {
                throw new IOException("sink " + name + " is closed");
            }
            if (incoming.isEmpty()) {
                incomingSince = System.nanoTime();
            }
            incoming.add(alert);
            if (incoming.size() > MAX_IN_MEMORY) {
                // the delivery thread is stuck in one long request: keep memory bounded on local disk
                overflowed = true;
                moveIncomingToSpool("more than " + MAX_IN_MEMORY + " alerts queued while the destination is slow");
                return;
            }
            batchReady = incoming.size() >= config.batchSize() || config.maxBatchDelay().isZero();
        } finally {
            queueLock.unlock();
        }
        if (drainer == null) {
            deliveryLock.lock();
            try {
                turn(false, false);
            } finally {
                deliveryLock.unlock();
            }
        } else if (batchReady) {
            wake();
        }
    }

    /** Sends everything queued (with retries) and tries once to drain the spool, then flushes the wrapped sink. */
    @Override
    public void flush() throws IOException {
        deliveryLock.lock();
        try {
            if (finished) {
                return;
            }
            turn(true, true);
            delegate.flush();
        } finally {
            deliveryLock.unlock();
        }
    }

    /** Refuses further alerts, stops the delivery thread, makes a last attempt, and closes; what is left stays spooled. */
    @Override
    public void close() throws IOException {
        queueLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            queueLock.unlock();
        }
        if (drainer != null) {
            drainer.shutdown();
            try {
                drainer.awaitTermination(1, TimeUnit.MINUTES);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deliveryLock.lock();
        try {
            closeUnderDeliveryLock();
        } finally {
            deliveryLock.unlock();
        }
    }

    private void closeUnderDeliveryLock() throws IOException {
        try {
            turn(true, true);
            delegate.flush();
        } finally {
            finished = true;
            try {
                queueLock.lock();
                try {
                    // only left when the last attempt failed on the spool file itself
                    moveIncomingToSpool("sink closing");
                } finally {
                    queueLock.unlock();
                }
            } finally {
                try {
                    synchronized (spoolLock) {
                        spool.close();
                    }
                } finally {
                    delegate.close();
                }
            }
        }
    }

    /** Alerts the destination accepted. */
    public long delivered() {
        return delivered.get();
    }

    /** Repeated attempts, counted per alert. */
    public long retried() {
        return retried.get();
    }

    /** Alerts written to the spool. */
    public long spooled() {
        return spooled.get();
    }

    /** Alerts dead-lettered: refused for good, spool full, or unreadable in the spool. */
    public long failed() {
        return failed.get();
    }

    /** Alerts waiting in the spool. */
    public long spoolDepth() {
        return spoolDepth;
    }

    /** Alerts waiting in memory for the delivery thread. */
    public int pendingInBatch() {
        queueLock.lock();
        try {
            return incoming.size();
        } finally {
            queueLock.unlock();
        }
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

    /** One turn of the delivery thread: sends batches that are full or waited long enough, drains when due. */
    void tick() {
        deliveryLock.lock();
        try {
            if (finished) {
                return;
            }
            turn(false, true);
        } catch (final IOException | RuntimeException e) {
            // the spool file itself failed (disk full?): say so and try again next turn
            LOG.error("sink {}: delivery turn failed: {}", name, e.toString(), e);
        } finally {
            deliveryLock.unlock();
        }
    }

    /** Asks the delivery thread for a turn now rather than at its next tick; at most one request waits. */
    private void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                drainer.execute(() -> {
                    wakeQueued.set(false);
                    tick();
                });
            } catch (final RejectedExecutionException e) {
                // closing: close() makes the last attempt itself
                wakeQueued.set(false);
            }
        }
    }

    /**
     * Under the delivery lock: while the spool holds alerts, queued ones go behind them and the
     * spool is drained when due (or {@code force}d); otherwise queued alerts are sent in batches —
     * full ones, those that waited {@code maxBatchDelay}, or all when {@code force}d.
     */
    private void turn(final boolean force, final boolean mayDrain) throws IOException {
        while (true) {
            if (spoolDepth > 0) {
                queueLock.lock();
                try {
                    moveIncomingToSpool("destination still down");
                } finally {
                    queueLock.unlock();
                }
                if (!mayDrain || !force && System.nanoTime() - nextDrainAt < 0) {
                    return;
                }
                if (!drain()) {
                    return;
                }
                // drained: what was queued meanwhile goes out now, in order
                continue;
            }
            final List<Alert> batch = takeBatch(force);
            if (batch.isEmpty()) {
                return;
            }
            send(batch);
        }
    }

    /** The next batch from the queue if it is full, has waited long enough, or {@code force}; else empty. */
    private List<Alert> takeBatch(final boolean force) {
        queueLock.lock();
        try {
            final boolean due = incoming.size() >= config.batchSize()
                    || !incoming.isEmpty() && System.nanoTime() - incomingSince >= config.maxBatchDelay().toNanos();
            if (!force && !due) {
                return List.of();
            }
            final List<Alert> batch = new ArrayList<>(Math.min(incoming.size(), config.batchSize()));
            while (batch.size() < config.batchSize() && !incoming.isEmpty()) {
                batch.add(incoming.poll());
            }
            // the rest waits from now: it was not due for its own batch yet
            incomingSince = System.nanoTime();
            overflowed = false;
            return batch;
        } finally {
            queueLock.unlock();
        }
    }

    /** Sends one batch, retrying its temporary failures; what still fails is spooled. */
    private void send(final List<Alert> batch) throws IOException {
        List<Alert> remaining = batch;
        String lastReason = "";
        for (int attempt = 1; attempt <= config.maxAttempts() && !remaining.isEmpty(); attempt++) {
            if (attempt > 1) {
                retried.addAndGet(remaining.size());
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
                    if (result.outcome() == DeliveryResult.Outcome.DELIVERED) {
                        countDelivered(1);
                    }
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
            queueLock.lock();
            try {
                if (overflowed) {
                    LOG.warn("sink {}: {} alerts spooled behind {} newer ones that overflowed memory meanwhile; "
                            + "they will arrive out of order", name, remaining.size(), spoolDepth);
                }
                // the failed batch first, then everything queued behind it
                toSpool(remaining, lastReason);
                moveIncomingToSpool("destination down");
            } finally {
                queueLock.unlock();
            }
            nextDrainAt = System.nanoTime() + backoff(1).toNanos();
        }
    }

    /** Delivers from the spool head in order until it is empty (true) or the destination fails again (false). */
    private boolean drain() throws IOException {
        while (spoolDepth > 0) {
            final List<Alert> batch;
            final long depthBefore;
            synchronized (spoolLock) {
                depthBefore = spool.depth();
                batch = spool.peek(config.batchSize());
                syncUnreadable();
                spoolChanged();
            }
            if (batch.isEmpty()) {
                if (spoolDepth == depthBefore) {
                    // nothing readable and nothing skipped: the file changed under us; try again next turn
                    LOG.error("sink {}: spool claims {} alerts but none could be read", name, depthBefore);
                    return false;
                }
                continue;
            }
            retried.addAndGet(batch.size());
            metrics.retried(batch.size());
            final List<DeliveryResult> results = attempt(batch);
            // only the settled prefix leaves the spool, so order holds when the rest is tried again
            int settled = 0;
            int deliveredNow = 0;
            while (settled < batch.size() && settle(batch.get(settled), results.get(settled))) {
                if (results.get(settled).outcome() == DeliveryResult.Outcome.DELIVERED) {
                    deliveredNow++;
                }
                settled++;
            }
            synchronized (spoolLock) {
                spool.remove(settled);
                spoolChanged();
            }
            // counted once out of the spool: a reader never sees an alert both delivered and spooled
            countDelivered(deliveredNow);
            if (settled < batch.size()) {
                failedDrains++;
                final Duration wait = backoff(failedDrains);
                nextDrainAt = System.nanoTime() + wait.toNanos();
                // one warning per outage; the retries after it would only repeat it
                if (failedDrains == 1) {
                    LOG.warn("sink {}: destination still failing ({}); {} alerts spooled, retrying with backoff up "
                            + "to {}", name, results.get(settled).reason(), spoolDepth, config.maxBackoff());
                } else {
                    LOG.debug("sink {}: drain attempt {} failed ({}); {} alerts spooled, next try in {} ms", name,
                            failedDrains, results.get(settled).reason(), spoolDepth, wait.toMillis());
                }
                return false;
            }
        }
        if (failedDrains > 0) {
            LOG.info("sink {}: destination is back, spool drained after {} failed attempts", name, failedDrains);
        }
        failedDrains = 0;
        return true;
    }

    private void countDelivered(final int alerts) {
        if (alerts > 0) {
            delivered.addAndGet(alerts);
            metrics.delivered(alerts);
        }
    }

    /** Dead-letters a permanent refusal; false for a temporary failure, which the caller keeps. */
    private boolean settle(final Alert alert, final DeliveryResult result) throws IOException {
        switch (result.outcome()) {
            case DELIVERED:
                return true;
            case PERMANENT:
                synchronized (spoolLock) {
                    deadLetter(alert, "refused: " + result.reason());
                }
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

    /** Under the queue lock: every queued alert to the spool tail, in order. */
    private void moveIncomingToSpool(final String reason) throws IOException {
        if (incoming.isEmpty()) {
            return;
        }
        final List<Alert> queued = new ArrayList<>(incoming);
        toSpool(queued, reason);
        // only now: had the write failed, the alerts would still be queued for the next turn
        incoming.clear();
    }

    /** Appends to the spool, dead-lettering what does not fit; local disk only. */
    private void toSpool(final List<Alert> alerts, final String reason) throws IOException {
        synchronized (spoolLock) {
            final int room = (int) Math.max(0, Math.min(alerts.size(), config.maxSpooled() - spool.depth()));
            if (room > 0) {
                spool.appendAll(alerts.subList(0, room));
                spooled.addAndGet(room);
                metrics.spooled(room);
            }
            for (final Alert alert : alerts.subList(room, alerts.size())) {
                deadLetter(alert, "spool full (" + config.maxSpooled() + " alerts) while: " + reason);
            }
            spoolChanged();
        }
    }

    /** Under the spool lock. */
    private void deadLetter(final Alert alert, final String reason) throws IOException {
        failed.incrementAndGet();
        metrics.failed(1);
        LOG.warn("sink {}: alert {} ({}) dead-lettered to {}: {}", name, alert.id(), alert.ruleId(),
                deadLetters.file(), reason);
        deadLetters.add(reason, alert);
    }

    /** Under the spool lock: publishes the depth to readers on other threads and to the gauge. */
    private void spoolChanged() {
        spoolDepth = spool.depth();
        metrics.spoolDepth(spoolDepth);
    }

    /** Under the spool lock: unreadable spool lines are dead-lettered by the spool itself; counts the new ones. */
    private void syncUnreadable() {
        final long newlyUnreadable = spool.unreadable() - unreadableCounted;
        if (newlyUnreadable > 0) {
            failed.addAndGet(newlyUnreadable);
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
}
