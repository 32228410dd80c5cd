package dev.peregrine.collector.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the ingest API, for an owner to export (the collector knows no metrics library):
 * requests by HTTP status, body bytes, events taken, lines rejected by reason, identity
 * violations. Events and rejections are counted again, per source, where the pipeline reads
 * them; these say what happened at the door.
 */
public final class IngestStats {

    private final Map<Integer, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder violations = new LongAdder();

    void request(final int status) {
        requests.computeIfAbsent(status, key -> new LongAdder()).increment();
    }

    void bytes(final long count) {
        bytes.add(count);
    }

    void accepted(final long count) {
        accepted.add(count);
    }

    void rejected(final String reason) {
        rejected.computeIfAbsent(reason, key -> new LongAdder()).increment();
    }

    void violation() {
        violations.increment();
    }

    /** Requests answered, by HTTP status code, sorted. */
    public Map<Integer, Long> requestsByStatus() {
        final Map<Integer, Long> snapshot = new TreeMap<>();
        requests.forEach((status, count) -> snapshot.put(status, count.sum()));
        return snapshot;
    }

    /** Request body bytes read. */
    public long bytesReceived() {
        return bytes.sum();
    }

    /** Events taken into the queue (answered 200 or 207). */
    public long eventsAccepted() {
        return accepted.sum();
    }

    /** Lines (or array elements) rejected, by reason label, sorted; a refused request (429) rejects none. */
    public Map<String, Long> rejectedByReason() {
        final Map<String, Long> snapshot = new TreeMap<>();
        rejected.forEach((reason, count) -> snapshot.put(reason, count.sum()));
        return snapshot;
    }

    /** Events refused for claiming an identity outside their token's binding. */
    public long identityViolations() {
        return violations.sum();
    }
}
