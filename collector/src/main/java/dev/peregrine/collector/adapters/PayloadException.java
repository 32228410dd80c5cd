package dev.peregrine.collector.adapters;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import java.util.Objects;

/** A payload, or one record of it, that cannot become an event; carries the rejection reason. */
public final class PayloadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Reason reason;

    /** @param reason why, as for any rejected input; @param message what was wrong, for a human */
    public PayloadException(final Reason reason, final String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the payload was refused. */
    public Reason reason() {
        return reason;
    }
}
