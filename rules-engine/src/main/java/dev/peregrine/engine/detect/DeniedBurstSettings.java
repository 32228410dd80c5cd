package dev.peregrine.engine.detect;

import java.time.Duration;
import java.util.Set;

/**
 * Knobs of {@code denied_burst}.
 *
 * @param enabled           whether the detection runs
 * @param threshold         denials within {@code window} that make a burst
 * @param window            the sliding window for {@code threshold}; a burst ends after a quiet {@code window}
 * @param probingResources  distinct denied resources within {@code probingWindow} that make a probing burst
 * @param probingWindow     the sliding window for {@code probingResources}
 */
public record DeniedBurstSettings(boolean enabled, int threshold, Duration window, int probingResources,
                                  Duration probingWindow) {

    /** 10 denials in 60 s; 5 distinct resources in 5 minutes. */
    public static final DeniedBurstSettings DEFAULTS =
            new DeniedBurstSettings(true, 10, Duration.ofSeconds(60), 5, Duration.ofMinutes(5));

    static final Set<String> KEYS = Set.of("enabled", "threshold", "window", "probing_resources", "probing_window", "agents");

    static DeniedBurstSettings read(final SettingsReader in, final DeniedBurstSettings base) {
        return new DeniedBurstSettings(
                in.bool("enabled", base.enabled),
                (int) in.integer("threshold", base.threshold, 2),
                in.duration("window", base.window),
                (int) in.integer("probing_resources", base.probingResources, 2),
                in.duration("probing_window", base.probingWindow));
    }
}
