package dev.peregrine.engine.streams;

import java.util.concurrent.atomic.LongAdder;

/** What the stream tasks of one instance did, summed over its tasks: read, alerted, dead-lettered, still held. */
public final class EngineCounters {

    private final LongAdder events = new LongAdder();
    private final LongAdder alerts = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder held = new LongAdder();

    /** Events read and handed to an engine. */
    public long events() {
        return events.sum();
    }

    /** Alerts written to the alerts topic. */
    public long alerts() {
        return alerts.sum();
    }

    /** Records written to the dead-letter topic. */
    public long deadLetters() {
        return deadLetters.sum();
    }

    /**
     * Events read but still in the engines' reorder buffers, not yet seen by any detector; an idle
     * partition's buffer empties after {@link EngineSettings#idleAfter()}.
     */
    public long heldEvents() {
        return held.sum();
    }

    void held(final long delta) {
        held.add(delta);
    }

    void event() {
        events.increment();
    }

    void alert() {
        alerts.increment();
    }

    void deadLetter() {
        deadLetters.increment();
    }
}
