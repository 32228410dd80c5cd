package dev.peregrine.engine.embedded;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.time.EndOfInput;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded runner: sources → bounded queues → detectors → alert sink, in one JVM.
 *
 * <p>Each source reads on its own thread into a bounded queue, so a fast source waits for the
 * engine instead of filling memory, and nothing is dropped. One engine thread runs the
 * detectors, so detectors need no locking. In {@link Ordering#EVENT_TIME_MERGE} mode (replay)
 * the engine merges the sources by {@code evt.time}, ties broken by source order, so the same
 * files always give the same alerts in the same order.
 *
 * <p>Event time drives the detectors' windows: after each event that moves event time forward,
 * every detector gets {@link Detector#onTimeAdvance} with that time. In {@link Ordering#ARRIVAL}
 * mode an idle engine (no event for {@code idleTick}) advances event time by the wall-clock time
 * elapsed since the latest event, so windows close while a live source is quiet. When every source
 * has ended, each {@link EndOfInput} detector is told, so events it holds back are evaluated.
 *
 * <p>In {@link Ordering#EVENT_TIME_MERGE} mode a source hands its events over in batches of up to
 * {@value #MERGE_BATCH}, so the two threads meet once per batch instead of once per event (the
 * queue's lock and wake-ups cost more than the engine spends on a typical event). Live
 * {@link Ordering#ARRIVAL} mode hands over each event at once, so none waits for a batch to fill.
 */
public final class EmbeddedPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPipeline.class);
    private static final int LOGGED_REJECTIONS_PER_SOURCE = 20;
    /** Events a source hands over at once when replaying files. */
    static final int MERGE_BATCH = 256;

    /** The time an idle live pipeline waits before advancing event time by the wall clock, unless configured. */
    public static final Duration DEFAULT_IDLE_TICK = Duration.ofSeconds(1);

    /** How events from several sources are interleaved. */
    public enum Ordering {
        /** Sorted inputs (files): a k-way merge by event time. Waits for every source to have data. */
        EVENT_TIME_MERGE,
        /** Live inputs: events in the order they arrive. */
        ARRIVAL
    }

    private final List<EventSource> sources;
    private final List<Detector> detectors;
    private final AlertSink sink;
    private final Consumer<Rejection> deadLetter;
    private final PipelineMetrics metrics;
    private final Ordering ordering;
    private final int queueCapacity;
    private final Duration idleTick;
    private final Consumer<Alert> alertHandler = this::deliver;
    // Engine-thread state: the youngest event time seen, when it was seen, and how far time was advanced.
    private long latestEventTime = Long.MIN_VALUE;
    private long latestEventWallNanos;
    private long advancedTo = Long.MIN_VALUE;

    /**
     * @param sources        where events come from
     * @param detectors      run on every event, in this order
     * @param sink           receives every alert
     * @param deadLetter     keeps every rejected record; called from source threads, must be thread-safe
     * @param metrics        counters for events, rejections, alerts and failures
     * @param ordering       how to interleave sources
     * @param queueCapacity  events buffered per source before the source waits
     */
    public EmbeddedPipeline(final List<EventSource> sources, final List<Detector> detectors,
                            final AlertSink sink, final Consumer<Rejection> deadLetter,
                            final PipelineMetrics metrics, final Ordering ordering, final int queueCapacity) {
        this(sources, detectors, sink, deadLetter, metrics, ordering, queueCapacity, DEFAULT_IDLE_TICK);
    }

    /**
     * As the other constructor, with {@code idleTick}: in {@link Ordering#ARRIVAL} mode, how long the
     * engine waits for an event before advancing event time by the wall-clock time elapsed since the
     * latest event.
     */
    public EmbeddedPipeline(final List<EventSource> sources, final List<Detector> detectors,
                            final AlertSink sink, final Consumer<Rejection> deadLetter,
                            final PipelineMetrics metrics, final Ordering ordering, final int queueCapacity,
                            final Duration idleTick) {
        if (idleTick.isNegative() || idleTick.isZero()) {
            throw new IllegalArgumentException("idleTick must be positive");
        }
        this.idleTick = idleTick;
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1");
        }
        this.sources = List.copyOf(sources);
        this.detectors = List.copyOf(detectors);
        this.sink = Objects.requireNonNull(sink);
        this.deadLetter = Objects.requireNonNull(deadLetter);
        this.metrics = Objects.requireNonNull(metrics);
        this.ordering = Objects.requireNonNull(ordering);
        this.queueCapacity = queueCapacity;
    }

    /**
     * Runs until every source has ended (or was {@linkplain #stop() stopped}) and every queued
     * event has passed the detectors; then flushes the sink. Blocks the calling thread, which
     * becomes the engine thread.
     */
    public PipelineSummary run() throws InterruptedException {
        final long started = System.nanoTime();
        final List<BlockingQueue<Item>> queues = new ArrayList<>();
        final BlockingQueue<Item> shared = ordering == Ordering.ARRIVAL
                ? new ArrayBlockingQueue<>(queueCapacity) : null;
        // Batches of at most queueCapacity events, queueCapacity events in all: the same bound on memory.
        final int batch = shared != null ? 1 : Math.min(MERGE_BATCH, queueCapacity);
        final List<Thread> readers = new ArrayList<>();
        for (int index = 0; index < sources.size(); index++) {
            final BlockingQueue<Item> queue = shared != null ? shared
                    : new ArrayBlockingQueue<>(Math.max(1, queueCapacity / batch));
            queues.add(queue);
            final Thread reader = new Thread(readerLoop(sources.get(index), index, queue, batch),
                    "peregrine-source-" + index);
            reader.setDaemon(true);
            readers.add(reader);
        }
        readers.forEach(Thread::start);
        try {
            if (shared != null) {
                consumeInArrivalOrder(shared, sources.size());
            } else {
                consumeMergedByEventTime(queues);
            }
            endOfInput();
        } finally {
            for (final Thread reader : readers) {
                reader.interrupt();
            }
            detectors.forEach(Detector::close);
            try {
                sink.flush();
            } catch (final IOException e) {
                LOG.error("flushing alerts failed: {}", e.toString());
                metrics.deliveryFailed();
            }
        }
        return summary(Duration.ofNanos(System.nanoTime() - started));
    }

    /** Asks every source to stop; {@link #run()} then drains what was read and returns. */
    public void stop() {
        for (final EventSource source : sources) {
            try {
                source.close();
            } catch (final IOException e) {
                LOG.warn("closing source {} failed: {}", source.name(), e.toString());
            }
        }
    }

    private Runnable readerLoop(final EventSource source, final int index, final BlockingQueue<Item> queue,
                                final int batchSize) {
        return () -> {
            final int[] logged = {0};
            final CounterDataPoint accepted = metrics.eventsFrom(source.name());
            final Batcher batcher = new Batcher(queue, index, batchSize, accepted);
            final SourceListener listener = new SourceListener() {
                @Override
                public void onEvent(final Event event) {
                    batcher.add(event);
                }

                @Override
                public void onRejected(final Rejection rejection) {
                    metrics.rejected(rejection);
                    if (logged[0]++ < LOGGED_REJECTIONS_PER_SOURCE) {
                        LOG.warn("{}:{}: rejected ({}): {}", rejection.source(), rejection.line(),
                                rejection.reason().label(), rejection.message());
                    } else if (logged[0] == LOGGED_REJECTIONS_PER_SOURCE + 1) {
                        LOG.warn("{}: more rejected records; see the dead-letter file", source.name());
                    }
                    deadLetter.accept(rejection);
                }
            };
            try {
                source.read(listener);
            } catch (final IOException | RuntimeException e) {
                metrics.sourceFailed(source.name());
                LOG.error("source {} stopped: {}", source.name(), e.toString());
            } finally {
                batcher.handOver();
                put(queue, Item.end(index));
            }
        };
    }

    /** Collects a source's events and puts them on its queue a batch at a time; counted as they are handed over. */
    private static final class Batcher {
        private final BlockingQueue<Item> queue;
        private final int source;
        private final int size;
        private final CounterDataPoint accepted;
        private Event[] events;
        private int count;

        Batcher(final BlockingQueue<Item> queue, final int source, final int size, final CounterDataPoint accepted) {
            this.queue = queue;
            this.source = source;
            this.size = size;
            this.accepted = accepted;
            this.events = new Event[size];
        }

        void add(final Event event) {
            events[count++] = event;
            if (count == size) {
                handOver();
            }
        }

        void handOver() {
            if (count == 0) {
                return;
            }
            accepted.inc(count);
            final Item item = new Item(events, count, source);
            events = new Event[size];
            count = 0;
            put(queue, item);
        }
    }

    private static void put(final BlockingQueue<Item> queue, final Item item) {
        try {
            queue.put(item);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("pipeline stopped while a source was reading", e);
        }
    }

    private void consumeInArrivalOrder(final BlockingQueue<Item> queue, final int sourceCount)
            throws InterruptedException {
        int open = sourceCount;
        final long tickNanos = idleTick.toNanos();
        while (open > 0) {
            final Item item = queue.poll(tickNanos, TimeUnit.NANOSECONDS);
            if (item == null) {
                idle();
            } else if (item.isEnd()) {
                open--;
            } else {
                for (int i = 0; i < item.count(); i++) {
                    process(item.events()[i]);
                }
            }
        }
    }

    private void consumeMergedByEventTime(final List<BlockingQueue<Item>> queues) throws InterruptedException {
        final Item[] heads = new Item[queues.size()];
        // The next event of each source's head batch.
        final int[] positions = new int[queues.size()];
        final boolean[] ended = new boolean[queues.size()];
        int open = queues.size();
        while (open > 0) {
            int earliest = -1;
            long earliestTime = 0;
            for (int index = 0; index < heads.length; index++) {
                if (ended[index]) {
                    continue;
                }
                if (heads[index] == null) {
                    heads[index] = queues.get(index).take();
                    positions[index] = 0;
                }
                if (heads[index].isEnd()) {
                    ended[index] = true;
                    heads[index] = null;
                    open--;
                    continue;
                }
                final long time = heads[index].events()[positions[index]].timeNanos();
                // strict '<' keeps the lower source index on ties, which makes replays deterministic
                if (earliest < 0 || time < earliestTime) {
                    earliest = index;
                    earliestTime = time;
                }
            }
            if (earliest >= 0) {
                final Item head = heads[earliest];
                process(head.events()[positions[earliest]]);
                if (++positions[earliest] == head.count()) {
                    heads[earliest] = null;
                }
            }
        }
    }

    /** Live mode, no event for a tick: event time moves on by the wall-clock time since the latest event. */
    private void idle() {
        if (latestEventTime == Long.MIN_VALUE) {
            return;
        }
        advanceTime(latestEventTime + (System.nanoTime() - latestEventWallNanos));
    }

    private void advanceTime(final long eventTimeNanos) {
        if (eventTimeNanos <= advancedTo) {
            return;
        }
        advancedTo = eventTimeNanos;
        for (final Detector detector : detectors) {
            try {
                detector.onTimeAdvance(eventTimeNanos, alertHandler);
            } catch (final RuntimeException e) {
                metrics.detectorFailed(detector.getClass().getSimpleName());
                LOG.error("detector {} failed advancing time to {}: {}", detector.getClass().getSimpleName(),
                        eventTimeNanos, e.toString(), e);
            }
        }
    }

    private void endOfInput() {
        for (final Detector detector : detectors) {
            if (detector instanceof EndOfInput holding) {
                try {
                    holding.endOfInput(alertHandler);
                } catch (final RuntimeException e) {
                    metrics.detectorFailed(detector.getClass().getSimpleName());
                    LOG.error("detector {} failed at end of input: {}", detector.getClass().getSimpleName(),
                            e.toString(), e);
                }
            }
        }
    }

    private void process(final Event event) {
        processEvent(event);
        if (event.timeNanos() > latestEventTime) {
            latestEventTime = event.timeNanos();
            if (ordering == Ordering.ARRIVAL) {
                latestEventWallNanos = System.nanoTime(); // only an idle live pipeline reads it
            }
            advanceTime(latestEventTime);
        }
    }

    private void processEvent(final Event event) {
        for (final Detector detector : detectors) {
            try {
                detector.onEvent(event, alertHandler);
            } catch (final RuntimeException e) {
                // one broken detector must not blind the others, nor stop the stream
                metrics.detectorFailed(detector.getClass().getSimpleName());
                LOG.error("detector {} failed on event at {}: {}", detector.getClass().getSimpleName(),
                        event.timeNanos(), e.toString(), e);
            }
        }
    }

    private void deliver(final Alert alert) {
        metrics.alertRaised(alert);
        try {
            sink.deliver(alert);
        } catch (final IOException | RuntimeException e) {
            metrics.deliveryFailed();
            LOG.error("alert {} ({}) was not delivered: {}", alert.id(), alert.ruleId(), e.toString());
        }
    }

    private PipelineSummary summary(final Duration elapsed) {
        return new PipelineSummary(metrics.eventsAccepted(), metrics.eventsRejected(),
                metrics.rejectedByReason(), metrics.alertsByRule(), metrics.detectorErrors(),
                metrics.deliveryFailures(), metrics.sourceErrors(), elapsed);
    }

    /** The first {@code count} of {@code events} from a source, or the end of that source ({@code events == null}). */
    private record Item(Event[] events, int count, int source) {
        static Item end(final int source) {
            return new Item(null, 0, source);
        }

        boolean isEnd() {
            return events == null;
        }
    }
}
