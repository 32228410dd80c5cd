package dev.peregrine.app.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Reads durations the way operators write them: {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 2d}, {@code 0}, or ISO-8601. */
public final class Durations {

    private Durations() {
    }

    /** The duration {@code text} names, or empty when it names none (negative ones included). */
    public static Optional<Duration> parse(final String text) {
        final String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.equals("0")) {
                return Optional.of(Duration.ZERO);
            }
            final Duration duration;
            if (value.startsWith("p")) {
                duration = Duration.parse(value.toUpperCase(Locale.ROOT));
            } else if (value.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            } else {
                final long amount = Long.parseLong(value.substring(0, value.length() - 1));
                duration = switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    case 'd' -> Duration.ofDays(amount);
                    default -> null;
                };
            }
            return duration == null || duration.isNegative() ? Optional.empty() : Optional.of(duration);
        } catch (final RuntimeException e) {
            return Optional.empty();
        }
    }
}
