package dev.peregrine.collector.source;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import java.util.function.Consumer;

/**
 * Turns the lines of a text input into events for a {@link LineSource}. A parser may hold what
 * a line gave until later lines complete it (auditd records of one event), so events go to a
 * consumer rather than being returned, and {@link #finish} hands over what is still held.
 */
public interface LineParser {

    /**
     * Parses the UTF-8 line {@code buf[off, off+len)} (without its terminator), handing every
     * event it completes to {@code events}: none, one, or several held from earlier lines.
     *
     * @throws LineRejectedException when the line itself cannot be used, with the reason
     */
    void parse(byte[] buf, int off, int len, Consumer<Event> events) throws LineRejectedException;

    /** The input has ended: hands over every event still held. The default holds none. */
    default void finish(final Consumer<Event> events) {
    }

    /** The reason a line is rejected under when the parser fails unexpectedly on it (a bug). */
    default Reason failureReason() {
        return Reason.MALFORMED_JSON;
    }
}
