package dev.peregrine.collector.ingest;

import dev.peregrine.collector.adapters.PayloadAdapter;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import java.util.ArrayList;
import java.util.List;

/** What one request body held: its events with their line numbers, and its rejected lines. */
final class Batch {

    final List<Event> events = new ArrayList<>();
    final List<Long> eventLines = new ArrayList<>();
    /** Byte range of each event in the body, {@code [start, end)}. */
    final List<int[]> eventRanges = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    /** Lines (or elements) that were records: events plus rejections; blank lines are none. */
    long records;
    /** Records an adapter left out on purpose (no events, no rejections). */
    long skipped;
    /** The adapter that made the batch, or {@code null} for native and agent NDJSON. */
    PayloadAdapter adapter;

    void event(final long line, final Event event, final int start, final int end) {
        events.add(event);
        eventLines.add(line);
        eventRanges.add(new int[] {start, end});
        records++;
    }

    void reject(final Rejection rejection) {
        rejections.add(rejection);
        records++;
    }
}
