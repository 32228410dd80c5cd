package dev.peregrine.collector.kafka;

/**
 * One event waiting in the spool: its partitioning key (null when the event has none) and its
 * native NDJSON bytes.
 *
 * @param key   the record key, e.g. the event's {@code agent.session}
 * @param value the event as {@link dev.peregrine.collector.ndjson.EventJsonWriter} wrote it
 */
public record SpooledRecord(String key, byte[] value) {
}
