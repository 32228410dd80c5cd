package dev.peregrine.alerting.suppress;

import dev.peregrine.alerting.Alert;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The suppressions in force, shared between the alert pipeline (which asks on every alert) and
 * the console API (which adds and removes them from HTTP threads). Thread-safe; lookups take no lock.
 *
 * <p>Expired suppressions stay listed (marked by their expiry) until removed, so an analyst sees
 * what used to be silenced; they no longer match.
 */
public final class SuppressionList {

    /** Told of every change after it is made, on the thread that made it. */
    public interface Listener {

        /** {@code suppression} was added (or replaced one with its id) by {@code who}. */
        void added(Suppression suppression, String who);

        /** {@code suppression} was removed by {@code who}. */
        void removed(Suppression suppression, String who);
    }

    private final Clock clock;
    private final Map<String, Suppression> byId = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byRule = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** An empty list whose expiries are judged by {@code clock}. */
    public SuppressionList(final Clock clock) {
        this.clock = clock;
    }

    /** Adds a listener; changes made before are not replayed to it. */
    public void listen(final Listener listener) {
        listeners.add(listener);
    }

    /** Puts back a suppression persisted by an earlier run, telling no listener (it is not a new decision). */
    public void restore(final Suppression suppression) {
        byId.put(suppression.id(), suppression);
    }

    /** Adds {@code suppression} (replacing one with the same id) and tells the listeners. */
    public void add(final Suppression suppression, final String who) {
        byId.put(suppression.id(), suppression);
        for (final Listener listener : listeners) {
            listener.added(suppression, who);
        }
    }

    /** Removes the suppression {@code id}; returns it, or empty when there was none. */
    public Optional<Suppression> remove(final String id, final String who) {
        final Suppression removed = byId.remove(id);
        if (removed == null) {
            return Optional.empty();
        }
        hits.remove(id);
        for (final Listener listener : listeners) {
            listener.removed(removed, who);
        }
        return Optional.of(removed);
    }

    /** The suppression {@code id}, if listed. */
    public Optional<Suppression> get(final String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every listed suppression, newest first. */
    public List<Suppression> all() {
        final List<Suppression> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(Suppression::created).reversed().thenComparing(Suppression::id));
        return all;
    }

    /** The first suppression in force now that matches {@code alert}, counting the hit on it and on the alert's rule. */
    public Optional<Suppression> match(final Alert alert) {
        if (byId.isEmpty()) {
            return Optional.empty();
        }
        final java.time.Instant now = clock.instant();
        for (final Suppression suppression : byId.values()) {
            if (suppression.activeAt(now) && suppression.matches(alert)) {
                hits.computeIfAbsent(suppression.id(), id -> new AtomicLong()).incrementAndGet();
                byRule.computeIfAbsent(alert.ruleId(), rule -> new LongAdder()).increment();
                return Optional.of(suppression);
            }
        }
        return Optional.empty();
    }

    /** Alerts the suppression {@code id} has dropped since it was added or this process started. */
    public long hits(final String id) {
        final AtomicLong count = hits.get(id);
        return count == null ? 0 : count.get();
    }

    /** Alerts dropped by any suppression since this process started, by rule id. */
    public Map<String, Long> suppressedByRule() {
        final Map<String, Long> counts = new TreeMap<>();
        byRule.forEach((rule, count) -> counts.put(rule, count.sum()));
        return counts;
    }

    /** Whether {@code suppression} is in force now. */
    public boolean active(final Suppression suppression) {
        return suppression.activeAt(clock.instant());
    }
}
