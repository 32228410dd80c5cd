package dev.peregrine.engine.detect;

import java.time.Duration;
import java.util.Set;

/**
 * Knobs of {@code sensor_silent}. A sensor is one {@code evt.source} on one sandbox (or host):
 * per-agent overrides apply by the {@code agent.id} the sensor's last event carried.
 *
 * @param enabled      whether the detection runs
 * @param after        silence longer than this raises the alert
 * @param forgetAfter  a sensor silent this long is forgotten (a retired sandbox), so state stays bounded
 */
public record SensorSilentSettings(boolean enabled, Duration after, Duration forgetAfter) {

    /** Silent for more than 5 minutes; forgotten after 7 days. */
    public static final SensorSilentSettings DEFAULTS =
            new SensorSilentSettings(true, Duration.ofMinutes(5), Duration.ofDays(7));

    static final Set<String> KEYS = Set.of("enabled", "after", "forget_after", "agents");

    static SensorSilentSettings read(final SettingsReader in, final SensorSilentSettings base) {
        return new SensorSilentSettings(
                in.bool("enabled", base.enabled),
                in.duration("after", base.after),
                in.duration("forget_after", base.forgetAfter));
    }
}
