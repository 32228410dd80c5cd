package dev.peregrine.app;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations the way operators write them: {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 0}. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(final String text) {
        final String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.equals("0")) {
                return Duration.ZERO;
            }
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            final long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw new NumberFormatException();
            };
        } catch (final RuntimeException e) {
            throw new TypeConversionException("'" + text + "' is not a duration; write e.g. 250ms, 90s, 5m, 1h or 0");
        }
    }
}
