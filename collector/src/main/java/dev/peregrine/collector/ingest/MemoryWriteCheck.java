package dev.peregrine.collector.ingest;

import dev.peregrine.collector.event.Event;

/**
 * Judges one {@code memory_write} event on the caller's thread: what {@code POST /v1/memory/check}
 * answers. Called from several HTTP threads at once, so implementations are thread-safe.
 */
@FunctionalInterface
public interface MemoryWriteCheck {

    /**
     * The verdict on {@code write}, whose identity fields the caller has already checked against
     * the client's token.
     *
     * @throws IllegalArgumentException when the write cannot be judged (it names no agent), with the reason
     */
    MemoryVerdict check(Event write);
}
