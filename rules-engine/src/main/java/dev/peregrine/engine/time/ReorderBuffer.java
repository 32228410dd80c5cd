package dev.peregrine.engine.time;

import dev.peregrine.collector.event.Event;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Puts events that arrive slightly out of order back into event-time order. An event is held until
 * an event at least {@code allowedLateness} younger has been seen (the watermark has passed it),
 * then released in {@code evt.time} order, ties in arrival order.
 *
 * <p>An event older than the watermark arrived too late to be sorted in: it is released at once,
 * out of order, and counted in {@link #lateEvents()} - never dropped. Time only moves forward, so
 * the same arrival order always releases the same sequence, however it is chunked.
 *
 * <p>Events that arrive in time order (the usual case: a sorted file, a steady sensor) queue in
 * arrival order at O(1) each; only those that arrive earlier than the event before them go into a
 * heap. Releasing takes the smaller head of the two, so the order is the same as one heap's.
 *
 * <p>Not thread-safe: owned by the engine thread.
 */
public final class ReorderBuffer {

    /** How late an event may arrive and still be sorted in, unless configured otherwise. */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofSeconds(2);

    /** A held event and its arrival number, which breaks ties between equal times. */
    private record Held(Event event, long time, long arrival) implements Comparable<Held> {
        @Override
        public int compareTo(final Held other) {
            final int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(arrival, other.arrival);
        }
    }

    private final long latenessNanos;
    // Sorted by construction: each entry is at least as late as the one before, and arrived after it.
    private final ArrayDeque<Held> inOrder = new ArrayDeque<>();
    private final PriorityQueue<Held> outOfOrder = new PriorityQueue<>();
    private long arrivals;
    private long maxSeen = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;
    private long lateEvents;
    private long maxLatenessNanos;

    /** @param allowedLateness how far behind the youngest event seen an event may arrive and still be sorted in */
    public ReorderBuffer(final Duration allowedLateness) {
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + allowedLateness);
        }
        this.latenessNanos = allowedLateness.toNanos();
    }

    /**
     * Takes {@code event}; releases to {@code release}, in order, every held event the watermark
     * has now passed - or {@code event} itself at once when it is late.
     *
     * @return whether {@code event} was late (released out of order)
     */
    public boolean offer(final Event event, final Consumer<Event> release) {
        final long time = event.timeNanos();
        if (time < watermark) {
            lateEvents++;
            maxLatenessNanos = Math.max(maxLatenessNanos, watermark - time);
            release.accept(event);
            return true;
        }
        final Held entry = new Held(event, time, arrivals++);
        final Held last = inOrder.peekLast();
        if (last == null || time >= last.time()) {
            inOrder.addLast(entry);
        } else {
            outOfOrder.add(entry);
        }
        advanceTo(time, release);
        return false;
    }

    /**
     * Tells the buffer that event time has reached {@code eventTimeNanos} (a newer event was seen, or
     * the source was idle that long); releases what the watermark passes.
     *
     * @return the watermark after the call
     */
    public long advanceTo(final long eventTimeNanos, final Consumer<Event> release) {
        if (eventTimeNanos > maxSeen) {
            maxSeen = eventTimeNanos;
            final long candidate = saturatedMinus(maxSeen, latenessNanos);
            if (candidate > watermark) {
                watermark = candidate;
            }
        }
        for (Held next = earliest(); next != null && next.time() <= watermark; next = earliest()) {
            release.accept(take(next).event());
        }
        return watermark;
    }

    /** End of input: releases every held event, in order, and moves the watermark to the youngest event seen. */
    public void flush(final Consumer<Event> release) {
        for (Held next = earliest(); next != null; next = earliest()) {
            release.accept(take(next).event());
        }
        if (maxSeen > watermark) {
            watermark = maxSeen;
        }
    }

    /** Event time up to which every event has been released; {@link Long#MIN_VALUE} before the first. */
    public long watermark() {
        return watermark;
    }

    /** The youngest event time seen. */
    public long maxSeen() {
        return maxSeen;
    }

    /** Events that arrived after the watermark had passed them, and were released out of order. */
    public long lateEvents() {
        return lateEvents;
    }

    /** How far behind the watermark the latest late event was, at most, in nanoseconds. */
    public long maxLatenessNanos() {
        return maxLatenessNanos;
    }

    /** Events held back, waiting for the watermark. */
    public int held() {
        return inOrder.size() + outOfOrder.size();
    }

    /** The held event to release next, or {@code null}: the smaller of the two heads. */
    private Held earliest() {
        final Held sorted = inOrder.peekFirst();
        final Held late = outOfOrder.peek();
        if (late == null) {
            return sorted;
        }
        return sorted == null || late.compareTo(sorted) < 0 ? late : sorted;
    }

    /** Removes {@code head}, which {@link #earliest()} just returned, from its queue. */
    private Held take(final Held head) {
        return head == inOrder.peekFirst() ? inOrder.pollFirst() : outOfOrder.poll();
    }

    private static long saturatedMinus(final long a, final long b) {
        final long result = a - b;
        return result > a ? Long.MIN_VALUE : result;
    }
}
