package dev.peregrine.alerting.spool;

import java.util.Objects;

/**
 * What happened to one alert of a batch.
 *
 * @param outcome delivered, or failed temporarily or for good
 * @param reason  why it failed; empty when delivered
 */
public record DeliveryResult(Outcome outcome, String reason) {

    /** The three ways one delivery ends. */
    public enum Outcome {
        /** The destination has it (or a newer version of it). */
        DELIVERED,
        /** Not delivered for a reason that may pass: retry, then spool. */
        TEMPORARY,
        /** Refused for good: count and dead-letter, never retry. */
        PERMANENT
    }

    private static final DeliveryResult DELIVERED = new DeliveryResult(Outcome.DELIVERED, "");

    public DeliveryResult {
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
    }

    /** Delivered. */
    public static DeliveryResult delivered() {
        return DELIVERED;
    }

    /** Failed for a reason that may pass. */
    public static DeliveryResult temporary(final String reason) {
        return new DeliveryResult(Outcome.TEMPORARY, reason);
    }

    /** Refused for good. */
    public static DeliveryResult permanent(final String reason) {
        return new DeliveryResult(Outcome.PERMANENT, reason);
    }
}
