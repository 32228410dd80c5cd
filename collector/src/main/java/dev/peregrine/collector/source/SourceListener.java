package dev.peregrine.collector.source;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;

/** Receives what an {@link EventSource} reads: events, and the records it had to reject. */
public interface SourceListener {

    /** A well-formed event. */
    void onEvent(Event event);

    /** A record that could not become an event; it must be counted and kept, never dropped. */
    void onRejected(Rejection rejection);
}
