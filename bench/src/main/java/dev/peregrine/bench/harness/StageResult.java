package dev.peregrine.bench.harness;

/**
 * One row of the benchmark table.
 *
 * @param id              the stage's number in the table: 1 … 5, or a variant such as {@code 2a}
 * @param name            what was measured
 * @param events          events the measured run processed
 * @param eventsPerSecond processed (stages 1–4) or offered and delivered (stage 5) per second of wall time
 * @param heapUsedBytes   heap in use when the measured run ended (garbage included)
 * @param gcMillis        time the collectors reported for the measured run
 * @param note            alerts, matches, latency percentiles, what the row is compared with
 */
public record StageResult(String id, String name, long events, double eventsPerSecond, long heapUsedBytes,
                          long gcMillis, String note) {
}
