package dev.peregrine.alerting.dedup;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Deduplicates and throttles alerts before they reach {@code downstream}: the same rule and
 * grouping key within a suppression window give one alert whose {@code count} grows.
 *
 * <p>The grouping key is agent + session, plus the {@code output_fields} configured for the
 * rule. The first alert of a key opens a window and goes out at once, re-identified as
 * {@code Alert.deterministicId(ruleId, groupingKey, windowStart)}. Repeats inside the window are
 * absorbed; a summary with the same id (so a SIEM overwrites the document) and the grown
 * {@code count}/{@code last_seen} goes out every {@code summaryEvery} repeats, when the window
 * ends, when the window is evicted to bound memory, and at {@link #flush()}/{@link #close()} —
 * a repeat is never dropped without being counted in a delivered summary.
 *
 * <p>Windows are measured in event time ({@link Alert#timeNanos()}), never wall-clock, so a
 * replay gives the same output. A window ends when an alert or {@link #advanceTo} reaches
 * {@code windowStart + window}. Counts add up the incoming alerts' own counts, so an
 * aggregated alert standing for 12 events counts as 12.
 *
 * <p>Not thread-safe: like every {@link AlertSink}, called from one thread at a time.
 */
public final class DeduplicatingSink implements AlertSink {

    /** What alerts are grouped by. */
    private record Key(String ruleId, String groupingKey) {
    }

    /** One open suppression window; mutable, owned by this sink only. */
    private static final class Window {
        final Key key;
        final long start;
        final long sequence;
        final Alert first;
        long count;
        long lastSeen;
        long repeats;
        long summarizedRepeats;

        Window(final Key key, final long start, final long sequence, final Alert first) {
            this.key = key;
            this.start = start;
            this.sequence = sequence;
            this.first = first;
            this.count = first.count();
            this.lastSeen = first.lastSeenNanos();
        }

        boolean hasUnsummarizedRepeats() {
            return repeats > summarizedRepeats;
        }

        Alert summary() {
            summarizedRepeats = repeats;
            return first.withOccurrences(count, lastSeen);
        }
    }

    private final AlertSink downstream;
    private final DedupConfig config;
    private final DedupObserver observer;
    private final long windowNanos;
    private final Map<Key, Window> open = new HashMap<>();
    // oldest window first; the sequence breaks ties so the order never depends on hashing
    private final PriorityQueue<Window> byStart = new PriorityQueue<>(
            Comparator.<Window>comparingLong(w -> w.start).thenComparingLong(w -> w.sequence));
    private long sequence;
    private long watermark = Long.MIN_VALUE;
    private long alertsIn;
    private long delivered;
    private long suppressed;
    private long summaries;
    private long evicted;

    /** Deduplicates into {@code downstream} as {@code config} says, reporting to {@code observer}. */
    public DeduplicatingSink(final AlertSink downstream, final DedupConfig config, final DedupObserver observer) {
        this.downstream = downstream;
        this.config = config;
        this.observer = observer;
        this.windowNanos = config.window().toNanos();
    }

    /** Deduplicates into {@code downstream} as {@code config} says. */
    public DeduplicatingSink(final AlertSink downstream, final DedupConfig config) {
        this(downstream, config, DedupObserver.NONE);
    }

    /** Deduplicates into {@code downstream} with {@link DedupConfig#defaults()}. */
    public DeduplicatingSink(final AlertSink downstream) {
        this(downstream, DedupConfig.defaults());
    }

    /**
     * Absorbs the alert into its key's open window, or opens a window and delivers it. Windows
     * that ended by this alert's event time are summarized first.
     */
    @Override
    public void deliver(final Alert alert) throws IOException {
        alertsIn++;
        final Failures failures = new Failures();
        closeWindowsEndedBy(alert.timeNanos(), failures);
        final Key key = keyOf(alert);
        final Window window = open.get(key);
        if (window != null) {
            window.count += alert.count();
            window.lastSeen = Math.max(window.lastSeen, alert.lastSeenNanos());
            window.repeats++;
            suppressed++;
            observer.suppressed(alert);
            if (window.repeats % config.summaryEvery() == 0) {
                emitSummary(window, failures);
            }
        } else {
            if (open.size() >= config.maxOpenKeys()) {
                final Window oldest = byStart.poll();
                open.remove(oldest.key);
                evicted++;
                if (oldest.hasUnsummarizedRepeats()) {
                    emitSummary(oldest, failures);
                }
            }
            final long start = alert.timeNanos();
            final Window opened = new Window(key, start, sequence++, reIdentified(alert, key, start));
            open.put(key, opened);
            byStart.add(opened);
            emit(opened.first, failures);
        }
        failures.rethrow();
    }

    /**
     * Moves event time forward to {@code eventTimeNanos} without an alert, so windows end and
     * their summaries go out while a key is quiet. Going backwards does nothing.
     */
    public void advanceTo(final long eventTimeNanos) throws IOException {
        final Failures failures = new Failures();
        closeWindowsEndedBy(eventTimeNanos, failures);
        failures.rethrow();
    }

    /** Delivers a summary for every open window with repeats not yet summarized, then flushes downstream. */
    @Override
    public void flush() throws IOException {
        final Failures failures = new Failures();
        summarizeOpenWindows(failures);
        try {
            downstream.flush();
        } catch (final IOException e) {
            failures.add(e);
        }
        failures.rethrow();
    }

    /** Summarizes every open window, forgets them all and closes downstream. */
    @Override
    public void close() throws IOException {
        final Failures failures = new Failures();
        summarizeOpenWindows(failures);
        open.clear();
        byStart.clear();
        try {
            downstream.close();
        } catch (final IOException e) {
            failures.add(e);
        }
        failures.rethrow();
    }

    /** Alerts handed to this sink. */
    public long alertsIn() {
        return alertsIn;
    }

    /** Alerts downstream accepted: first alerts of windows plus summaries. */
    public long delivered() {
        return delivered;
    }

    /** Repeats absorbed into an open window instead of being delivered on their own. */
    public long suppressed() {
        return suppressed;
    }

    /** Summaries handed downstream (delivered or not). */
    public long summaries() {
        return summaries;
    }

    /** Windows closed early because {@code maxOpenKeys} was reached. */
    public long evicted() {
        return evicted;
    }

    /** Windows currently open. */
    public int openWindows() {
        return open.size();
    }

    /** The grouping key of {@code alert} under this sink's config, as used in its window's id. */
    public String groupingKey(final Alert alert) {
        final StringBuilder key = new StringBuilder(64).append(alert.agent()).append('\u0000')
                .append(alert.session());
        if (!config.extraKeyFields().containsKey(alert.ruleId())) {
            // A rule nobody described (a built-in detection, a rule loaded by a later reload): only alerts
            // that say the same thing merge, so two different findings are never folded into one count.
            alert.outputFields().forEach((field, value) ->
                    key.append('\u0000').append(field).append('=').append(value == null ? "" : value));
            return key.toString();
        }
        for (final String field : config.extraKeyFieldsOf(alert.ruleId())) {
            final Object value = alert.outputFields().get(field);
            key.append('\u0000').append(field).append('=').append(value == null ? "" : value);
        }
        return key.toString();
    }

    private Key keyOf(final Alert alert) {
        return new Key(alert.ruleId(), groupingKey(alert));
    }

    private void closeWindowsEndedBy(final long eventTimeNanos, final Failures failures) {
        if (eventTimeNanos <= watermark) {
            return;
        }
        watermark = eventTimeNanos;
        // byStart is ordered by start, so ends come in order too: stop at the first still open
        while (!byStart.isEmpty() && endOf(byStart.peek()) <= eventTimeNanos) {
            final Window ended = byStart.poll();
            open.remove(ended.key);
            if (ended.hasUnsummarizedRepeats()) {
                emitSummary(ended, failures);
            }
        }
    }

    private long endOf(final Window window) {
        // saturate: a window opened near Long.MAX_VALUE must not wrap and end at once
        final long end = window.start + windowNanos;
        return end < window.start ? Long.MAX_VALUE : end;
    }

    private void summarizeOpenWindows(final Failures failures) {
        final PriorityQueue<Window> inOrder = new PriorityQueue<>(byStart);
        while (!inOrder.isEmpty()) {
            final Window window = inOrder.poll();
            if (window.hasUnsummarizedRepeats()) {
                emitSummary(window, failures);
            }
        }
    }

    private void emitSummary(final Window window, final Failures failures) {
        summaries++;
        final Alert summary = window.summary();
        observer.summarized(summary);
        emit(summary, failures);
    }

    private void emit(final Alert alert, final Failures failures) {
        try {
            downstream.deliver(alert);
            delivered++;
        } catch (final IOException e) {
            failures.add(e);
        }
    }

    private static Alert reIdentified(final Alert alert, final Key key, final long windowStart) {
        return new Alert(Alert.deterministicId(key.ruleId(), key.groupingKey(), windowStart), alert.timeNanos(),
                alert.ruleId(), alert.rule(), alert.priority(), alert.source(), alert.hostname(), alert.tags(),
                alert.output(), alert.outputFields(), alert.agent(), alert.session(), alert.count(),
                alert.firstSeenNanos(), alert.lastSeenNanos());
    }

    /** Delivery failures of one operation: every alert is tried, the first failure is thrown. */
    private static final class Failures {
        private IOException first;

        void add(final IOException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }

        void rethrow() throws IOException {
            if (first != null) {
                throw first;
            }
        }
    }
}
