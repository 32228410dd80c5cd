package dev.peregrine.alerting.dedup;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link DeduplicatingSink} groups and throttles alerts.
 *
 * @param window         suppression window, in event time, opened by the first alert of a key
 * @param summaryEvery   a summary goes out after every this many absorbed repeats of one key
 * @param maxOpenKeys    bound on open windows; beyond it the window with the earliest start is
 *                       summarized (if it absorbed repeats) and evicted
 * @param extraKeyFields per rule id, {@code output_fields} names that join agent and session in
 *                       the grouping key (e.g. {@code fd.name} to keep files apart); a rule without
 *                       an entry groups by all of its alerts' output fields
 */
public record DedupConfig(Duration window, long summaryEvery, int maxOpenKeys,
                          Map<String, List<String>> extraKeyFields) {

    /** One minute, as Falco users expect from falcosidekick-style throttling. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    /** Often enough that a SIEM sees a storm grow, rarely enough not to become one. */
    public static final long DEFAULT_SUMMARY_EVERY = 100;
    /** Bounds the first alerts kept in memory; far above the sessions one fleet has open at once. */
    public static final int DEFAULT_MAX_OPEN_KEYS = 100_000;

    public DedupConfig {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        if (summaryEvery < 1) {
            throw new IllegalArgumentException("summaryEvery must be at least 1: " + summaryEvery);
        }
        if (maxOpenKeys < 1) {
            throw new IllegalArgumentException("maxOpenKeys must be at least 1: " + maxOpenKeys);
        }
        Objects.requireNonNull(extraKeyFields, "extraKeyFields");
        final Map<String, List<String>> copy = new LinkedHashMap<>();
        extraKeyFields.forEach((ruleId, fields) -> copy.put(ruleId, List.copyOf(fields)));
        extraKeyFields = Collections.unmodifiableMap(copy);
    }

    /** 60 s window, a summary every 100 repeats, 100,000 open keys, no rule described (each groups by agent, session and all output fields). */
    public static DedupConfig defaults() {
        return new DedupConfig(DEFAULT_WINDOW, DEFAULT_SUMMARY_EVERY, DEFAULT_MAX_OPEN_KEYS, Map.of());
    }

    /** A copy with another window. */
    public DedupConfig withWindow(final Duration newWindow) {
        return new DedupConfig(newWindow, summaryEvery, maxOpenKeys, extraKeyFields);
    }

    /** A copy with another summary interval. */
    public DedupConfig withSummaryEvery(final long newSummaryEvery) {
        return new DedupConfig(window, newSummaryEvery, maxOpenKeys, extraKeyFields);
    }

    /** A copy with another bound on open windows. */
    public DedupConfig withMaxOpenKeys(final int newMaxOpenKeys) {
        return new DedupConfig(window, summaryEvery, newMaxOpenKeys, extraKeyFields);
    }

    /** A copy where alerts of {@code ruleId} are also grouped by the given output fields. */
    public DedupConfig withExtraKeyFields(final String ruleId, final List<String> fieldNames) {
        final Map<String, List<String>> copy = new LinkedHashMap<>(extraKeyFields);
        copy.put(ruleId, fieldNames);
        return new DedupConfig(window, summaryEvery, maxOpenKeys, copy);
    }

    /** The extra grouping fields of {@code ruleId}, empty when it has none. */
    public List<String> extraKeyFieldsOf(final String ruleId) {
        return extraKeyFields.getOrDefault(ruleId, List.of());
    }
}
