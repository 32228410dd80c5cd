package dev.peregrine.engine.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * How a stream task drives its engine's clock and names itself.
 *
 * @param allowedLateness     the engines' reorder-buffer lateness (as given to {@code DetectionEngine}); an
 *                            idle partition's clock is first moved by this much, which releases every held event
 * @param idleAfter           wall time without an event after which a partition counts as idle and its event
 *                            clock runs on with the wall clock (so timers and silence detections fire)
 * @param punctuationInterval how often (wall time) each task checks for idleness
 * @param host                this instance's name, written into dead-letter headers
 */
public record EngineSettings(Duration allowedLateness, Duration idleAfter, Duration punctuationInterval, String host) {

    /** Validates the durations. */
    public EngineSettings {
        Objects.requireNonNull(host, "host");
        if (allowedLateness.isNegative() || idleAfter.isNegative() || punctuationInterval.isNegative()
                || punctuationInterval.isZero()) {
            throw new IllegalArgumentException("durations must not be negative (and the interval positive)");
        }
    }

    /** Lateness as given, idle after 5 s, checked every second, the host from {@code HOSTNAME} or the local address. */
    public static EngineSettings of(final Duration allowedLateness) {
        return new EngineSettings(allowedLateness, Duration.ofSeconds(5), Duration.ofSeconds(1), localHost());
    }

    private static String localHost() {
        final String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (final java.io.IOException e) {
            return "unknown";
        }
    }
}
