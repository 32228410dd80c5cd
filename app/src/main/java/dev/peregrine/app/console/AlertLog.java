package dev.peregrine.app.console;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The most recent delivered alerts, by id, for the console: a sink placed after deduplication,
 * so a summary (the same id with a grown count) updates the alert it summarises instead of
 * adding one. Bounded: past its capacity the oldest alert is forgotten and counted in
 * {@link #evicted()}. Thread-safe: the pipeline delivers, HTTP threads read and acknowledge.
 */
public final class AlertLog implements AlertSink {

    /** Alerts kept when no capacity is given. */
    public static final int DEFAULT_CAPACITY = 10_000;

    /**
     * One kept alert.
     *
     * @param seq   arrival order (larger is newer); the paging cursor
     * @param alert the alert as last delivered
     * @param ack   who acknowledged it, or null
     */
    public record Entry(long seq, Alert alert, Ack ack) {
    }

    /**
     * An analyst's acknowledgement.
     *
     * @param by the name of the token that acknowledged
     * @param at when
     */
    public record Ack(String by, Instant at) {
    }

    /**
     * One page of alerts, newest first.
     *
     * @param entries    the alerts of the page
     * @param matched    how many kept alerts match the filter in all
     * @param nextCursor pass as {@code cursor} for the next (older) page; null on the last page
     */
    public record Page(List<Entry> entries, int matched, Long nextCursor) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> byId = new LinkedHashMap<>();
    private long nextSeq;
    private long evicted;

    /** A log keeping at most {@code capacity} alerts. */
    public AlertLog(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void deliver(final Alert alert) {
        final Entry earlier = byId.get(alert.id());
        if (earlier != null) {
            // a summary: same alert, grown count; it keeps its place and its acknowledgement
            byId.put(alert.id(), new Entry(earlier.seq(), alert, earlier.ack()));
            return;
        }
        byId.put(alert.id(), new Entry(++nextSeq, alert, null));
        if (byId.size() > capacity) {
            final Iterator<Entry> oldest = byId.values().iterator();
            oldest.next();
            oldest.remove();
            evicted++;
        }
    }

    /** The alert {@code id}, if kept. */
    public synchronized Optional<Entry> get(final String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Marks {@code id} acknowledged (again: the latest acknowledgement wins); empty when not kept. */
    public synchronized Optional<Entry> acknowledge(final String id, final String by, final Instant at) {
        final Entry entry = byId.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        final Entry acked = new Entry(entry.seq(), entry.alert(), new Ack(by, at));
        byId.put(id, acked);
        return Optional.of(acked);
    }

    /** Up to {@code limit} alerts matching {@code filter} and older than {@code cursor} (null: from the newest). */
    public synchronized Page page(final Predicate<Entry> filter, final Long cursor, final int limit) {
        final List<Entry> newestFirst = newestFirst();
        final List<Entry> page = new ArrayList<>();
        int matched = 0;
        Long next = null;
        for (final Entry entry : newestFirst) {
            if (!filter.test(entry)) {
                continue;
            }
            matched++;
            if (cursor != null && entry.seq() >= cursor) {
                continue;
            }
            if (page.size() < limit) {
                page.add(entry);
            } else if (next == null) {
                next = page.get(page.size() - 1).seq();
            }
        }
        return new Page(page, matched, next);
    }

    /** Every kept alert, newest first. */
    public synchronized List<Entry> newestFirst() {
        final List<Entry> all = new ArrayList<>(byId.values());
        java.util.Collections.reverse(all);
        return all;
    }

    /** Alerts forgotten because the log was full. */
    public synchronized long evicted() {
        return evicted;
    }

    /**
     * What the console's list may filter on; a null or blank part matches everything.
     *
     * @param minPriority alerts of this priority or more severe
     * @param rule        rule id or rule name
     * @param agent       {@code agent.id}
     * @param session     {@code agent.session}
     * @param sinceNanos  alert time at or after (event time), or null
     * @param untilNanos  alert time before, or null
     * @param acked       only acknowledged (true) or only open (false) alerts, or null for both
     */
    public record Filter(Priority minPriority, String rule, String agent, String session, Long sinceNanos,
                         Long untilNanos, Boolean acked) implements Predicate<Entry> {

        @Override
        public boolean test(final Entry entry) {
            final Alert alert = entry.alert();
            return (minPriority == null || alert.priority().atLeast(minPriority))
                    && (blank(rule) || rule.equals(alert.ruleId()) || rule.equals(alert.rule()))
                    && (blank(agent) || agent.equals(alert.agent()))
                    && (blank(session) || session.equals(alert.session()))
                    && (sinceNanos == null || alert.timeNanos() >= sinceNanos)
                    && (untilNanos == null || alert.timeNanos() < untilNanos)
                    && (acked == null || acked == (entry.ack() != null));
        }

        private static boolean blank(final String text) {
            return text == null || text.isBlank();
        }
    }

    /** Counts of the kept alerts matching a filter, by a key. */
    static Map<String, Long> countBy(final List<Entry> entries, final java.util.function.Function<Alert, String> key) {
        final Map<String, Long> counts = new LinkedHashMap<>();
        for (final Entry entry : entries) {
            counts.merge(key.apply(entry.alert()), entry.alert().count(), Long::sum);
        }
        return counts;
    }
}
