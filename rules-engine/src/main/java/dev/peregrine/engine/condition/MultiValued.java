package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Event;
import java.util.List;

/**
 * A field with several values per event ({@code proc.aname}: every ancestor; {@code fd.ip}: both
 * ends of a connection); a comparison on it holds when it holds for any of them, as in Falco.
 */
public interface MultiValued {

    /** The field name as rules write it. */
    String name();

    /** Every present value, in order; empty when there is none. */
    List<Object> readAll(Event event);

    /** Whether {@code test} holds for at least one present value; false when there is none. */
    default boolean anyMatch(final Event event, final ValueTest test) {
        for (final Object value : readAll(event)) {
            if (test.test(value)) {
                return true;
            }
        }
        return false;
    }
}
