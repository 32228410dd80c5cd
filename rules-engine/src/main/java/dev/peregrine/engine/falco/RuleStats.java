package dev.peregrine.engine.falco;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-rule counters: how often a rule was evaluated (its source and {@code evt.type} let an
 * event reach it) and how often it matched. Written by the one engine thread; readable from
 * any thread (e.g. a metrics scrape), where a value may lag the engine slightly.
 */
public final class RuleStats {

    // Opaque access: one writer, so no read-modify-write atomics on the hot path, yet readers
    // on other threads never see a torn long.
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * A snapshot of one rule's counters.
     *
     * @param ruleId    the rule's id
     * @param evaluated events the rule's condition was tested against
     * @param matched   events that satisfied it
     */
    public record Counts(String ruleId, long evaluated, long matched) {
    }

    private final List<String> ruleIds;
    private final Map<String, Integer> indexById;
    private final long[] evaluated;
    private final long[] matched;

    RuleStats(final List<String> ruleIds) {
        this.ruleIds = List.copyOf(ruleIds);
        final Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ruleIds.size(); i++) {
            index.put(ruleIds.get(i), i);
        }
        this.indexById = Collections.unmodifiableMap(index);
        this.evaluated = new long[ruleIds.size()];
        this.matched = new long[ruleIds.size()];
    }

    void countEvaluated(final int rule) {
        COUNTS.setOpaque(evaluated, rule, (long) COUNTS.getOpaque(evaluated, rule) + 1);
    }

    void countMatched(final int rule) {
        COUNTS.setOpaque(matched, rule, (long) COUNTS.getOpaque(matched, rule) + 1);
    }

    /** How many events rule {@code ruleId} was evaluated against; 0 for an unknown or disabled rule. */
    public long evaluated(final String ruleId) {
        final Integer index = indexById.get(ruleId);
        return index == null ? 0 : (long) COUNTS.getOpaque(evaluated, index.intValue());
    }

    /** How many events matched rule {@code ruleId}; 0 for an unknown or disabled rule. */
    public long matched(final String ruleId) {
        final Integer index = indexById.get(ruleId);
        return index == null ? 0 : (long) COUNTS.getOpaque(matched, index.intValue());
    }

    /** Every evaluated rule's counters, in rule order. */
    public List<Counts> snapshot() {
        final List<Counts> counts = new ArrayList<>(ruleIds.size());
        for (int i = 0; i < ruleIds.size(); i++) {
            counts.add(new Counts(ruleIds.get(i), (long) COUNTS.getOpaque(evaluated, i), (long) COUNTS.getOpaque(matched, i)));
        }
        return counts;
    }
}
