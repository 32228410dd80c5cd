package dev.peregrine.app;

import dev.peregrine.app.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations on the command line as the config file does: {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 0}. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(final String text) {
        return Durations.parse(text).orElseThrow(() -> new TypeConversionException(
                "'" + text + "' is not a duration; write e.g. 250ms, 90s, 5m, 1h or 0"));
    }
}
