package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.deadletter.Rejection;
import java.util.Objects;

/** A line that cannot become an event, with the reason it becomes a dead-letter record. */
public final class LineRejectedException extends Exception {

    private final Rejection.Reason reason;

    /** A rejection for {@code reason}; {@code message} says what was wrong, for a human. */
    public LineRejectedException(final Rejection.Reason reason, final String message) {
        // Bad lines are data, not bugs: a stack trace would say nothing and a flood of bad
        // input would pay for one per line.
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the line was rejected. */
    public Rejection.Reason reason() {
        return reason;
    }
}
