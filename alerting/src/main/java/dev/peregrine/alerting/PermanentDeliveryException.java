package dev.peregrine.alerting;

import java.io.IOException;

/**
 * A delivery the destination refused for good (a 4xx other than 429, a malformed payload):
 * retrying the same alert cannot succeed, so it is counted and dead-lettered instead.
 */
public class PermanentDeliveryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** A permanent failure described by {@code message}. */
    public PermanentDeliveryException(final String message) {
        super(message);
    }

    /** A permanent failure caused by {@code cause}. */
    public PermanentDeliveryException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
