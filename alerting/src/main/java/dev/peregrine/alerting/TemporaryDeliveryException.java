package dev.peregrine.alerting;

import java.io.IOException;

/**
 * A delivery that failed for a reason that may pass (5xx, 429, refused connection, timeout):
 * the caller retries with backoff, or spools the alert and drains it later.
 */
public class TemporaryDeliveryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** A temporary failure described by {@code message}. */
    public TemporaryDeliveryException(final String message) {
        super(message);
    }

    /** A temporary failure caused by {@code cause}. */
    public TemporaryDeliveryException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
