package dev.peregrine.alerting.dedup;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

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
 * <p>With {@link Clock#GLOBAL} (one ordered stream, as the embedded runner has) any alert's time
 * ends every window it passes. With {@link Clock#PER_SESSION} (the distributed alerter, whose
 * partitions each carry some sessions' alerts in order but interleave with each other arbitrarily)
 * an alert ends only the windows of its own agent and session, so a partition that is ahead never
 * closes another partition's windows early; {@link #advanceTo} still ends every window.
 *
 * <p>Not thread-safe: like every {@link AlertSink}, called from one thread at a time.
 */
public final class DeduplicatingSink implements AlertSink {

    /** Whose event time ends a window when an alert is delivered. */
    public enum Clock {
        /** Every alert's time ends every window it passes: alerts arrive in one event-time order. */
        GLOBAL,
        /** An alert's time ends only its own agent and session's windows: each session is ordered, not the whole. */
        PER_SESSION
    }

    /** What alerts are grouped by. */
    private record Key(String ruleId, String groupingKey) {
    }

    /** One open suppression window; mutable, owned by this sink only. */
    private static final class Window {
        final Key key;
        final String session;
        final long start;
        final long sequence;
        final Alert first;
        long count;
        long lastSeen;
        long repeats;
        long summarizedRepeats;

        Window(final Key key, final String session, final long start, final long sequence, final Alert first) {
            this.key = key;
            this.session = session;
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
    private final Clock clock;
    private final Map<Key, Window> open = new HashMap<>();
    // oldest window first; the sequence breaks ties so the order never depends on hashing
    private static final Comparator<Window> OLDEST_FIRST =
            Comparator.<Window>comparingLong(w -> w.start).thenComparingLong(w -> w.sequence);
    private final NavigableSet<Window> byStart = new TreeSet<>(OLDEST_FIRST);
    // PER_SESSION only: each session's open windows and event time, so its own alerts end its windows
    private final Map<String, NavigableSet<Window>> bySession = new HashMap<>();
    private final Map<String, Long> sessionWatermarks = new HashMap<>();
    private long sequence;
    private long watermark = Long.MIN_VALUE;
    private long alertsIn;
    private long delivered;
    private long suppressed;
    private long summaries;
    private long evicted;

    /**
     * Deduplicates into {@code downstream} as {@code config} says, reporting to {@code observer},
     * with windows ended by {@code clock}.
     */
    public DeduplicatingSink(final AlertSink downstream, final DedupConfig config, final DedupObserver observer,
                             final Clock clock) {
        this.downstream = downstream;
        this.config = config;
        this.observer = observer;
        this.windowNanos = config.window().toNanos();
        this.clock = clock;
    }

    /** Deduplicates into {@code downstream} as {@code config} says, reporting to {@code observer}. */
    public DeduplicatingSink(final AlertSink downstream, final DedupConfig config, final DedupObserver observer) {
        this(downstream, config, observer, Clock.GLOBAL);
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
        final String session = sessionOf(alert);
        if (clock == Clock.GLOBAL) {
            closeWindowsEndedBy(alert.timeNanos(), failures);
        } else {
            closeSessionWindowsEndedBy(session, alert.timeNanos(), failures);
        }
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
                final Window oldest = byStart.first();
                forget(oldest);
                evicted++;
                if (oldest.hasUnsummarizedRepeats()) {
                    emitSummary(oldest, failures);
                }
            }
            final long start = alert.timeNanos();
            final Window opened = new Window(key, session, start, sequence++, reIdentified(alert, key, start));
            open.put(key, opened);
            byStart.add(opened);
            if (clock == Clock.PER_SESSION) {
                bySession.computeIfAbsent(session, s -> new TreeSet<>(OLDEST_FIRST)).add(opened);
            }
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
        bySession.clear();
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

    private static String sessionOf(final Alert alert) {
        return alert.agent() + '\u0000' + alert.session();
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
        while (!byStart.isEmpty() && endOf(byStart.first()) <= eventTimeNanos) {
            final Window ended = byStart.first();
            forget(ended);
            if (ended.hasUnsummarizedRepeats()) {
                emitSummary(ended, failures);
            }
        }
    }

    private void closeSessionWindowsEndedBy(final String session, final long eventTimeNanos, final Failures failures) {
        final Long sessionWatermark = sessionWatermarks.get(session);
        if (sessionWatermark != null && eventTimeNanos <= sessionWatermark) {
            return;
        }
        final NavigableSet<Window> windows = bySession.get(session);
        if (windows == null) {
            return;
        }
        sessionWatermarks.put(session, eventTimeNanos);
        while (!windows.isEmpty() && endOf(windows.first()) <= eventTimeNanos) {
            final Window ended = windows.first();
            forget(ended);
            if (ended.hasUnsummarizedRepeats()) {
                emitSummary(ended, failures);
            }
        }
    }

    private void forget(final Window window) {
        open.remove(window.key);
        byStart.remove(window);
        final NavigableSet<Window> windows = bySession.get(window.session);
        if (windows != null) {
            windows.remove(window);
            if (windows.isEmpty()) {
                // a session without open windows has nothing its clock could end: forget it, so memory stays bounded
                bySession.remove(window.session);
                sessionWatermarks.remove(window.session);
            }
        }
    }

    private long endOf(final Window window) {
        // saturate: a window opened near Long.MAX_VALUE must not wrap and end at once
        final long end = window.start + windowNanos;
        return end < window.start ? Long.MAX_VALUE : end;
    }

    private void summarizeOpenWindows(final Failures failures) {
        for (final Window window : byStart) {
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
