package dev.peregrine.engine.embedded;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a pipeline run did: events in, records rejected, alerts out by rule, and how fast.
 *
 * @param eventsAccepted   events that reached the detectors
 * @param eventsRejected   input records rejected (all are in the dead-letter file)
 * @param rejectedByReason rejections by reason label, sorted
 * @param alertsByRule     alerts raised, by rule id, sorted
 * @param detectorErrors   events on which a detector failed
 * @param deliveryFailures alerts a sink failed to deliver
 * @param sourceErrors     sources that stopped on an I/O error
 * @param elapsed          wall-clock time of the run
 */
public record PipelineSummary(long eventsAccepted, long eventsRejected, Map<String, Long> rejectedByReason,
                              Map<String, Long> alertsByRule, long detectorErrors, long deliveryFailures,
                              long sourceErrors, Duration elapsed) {

    public PipelineSummary {
        // sorted copies: summaries are printed, and a stable order makes them diffable
        rejectedByReason = Collections.unmodifiableMap(new TreeMap<>(rejectedByReason));
        alertsByRule = Collections.unmodifiableMap(new TreeMap<>(alertsByRule));
    }

    /** Total alerts raised. */
    public long alerts() {
        return alertsByRule.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Input records read (accepted + rejected) per wall-clock second. */
    public double eventsPerSecond() {
        final double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return (eventsAccepted + eventsRejected) / seconds;
    }

    /** Whether anything went wrong: rejected input, failing detectors, sinks or sources. */
    public boolean hadProblems() {
        return eventsRejected > 0 || detectorErrors > 0 || deliveryFailures > 0 || sourceErrors > 0;
    }
}
