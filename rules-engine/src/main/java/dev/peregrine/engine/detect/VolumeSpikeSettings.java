package dev.peregrine.engine.detect;

import java.time.Duration;
import java.util.Set;

/**
 * Knobs of {@code volume_spike}.
 *
 * @param enabled    whether the detection runs
 * @param factor     how many times its baseline an agent's count in one window must reach
 * @param window     the counting window (tumbling, aligned to the epoch)
 * @param warmup     how long after an agent's first event its baseline is trusted
 * @param minEvents  the least count in one window that can alert, whatever the baseline
 * @param halfLife   half-life of the baseline (an exponentially weighted mean of per-window counts)
 */
public record VolumeSpikeSettings(boolean enabled, double factor, Duration window, Duration warmup, long minEvents,
                                  Duration halfLife) {

    /** 10x the baseline, per minute, 1 h warm-up, at least 30 events, 6 h half-life. */
    public static final VolumeSpikeSettings DEFAULTS = new VolumeSpikeSettings(true, 10.0, Duration.ofMinutes(1),
            Duration.ofHours(1), 30, Duration.ofHours(6));

    static final Set<String> KEYS = Set.of("enabled", "factor", "window", "warmup", "min_events", "half_life", "agents");

    static VolumeSpikeSettings read(final SettingsReader in, final VolumeSpikeSettings base) {
        return new VolumeSpikeSettings(
                in.bool("enabled", base.enabled),
                in.number("factor", base.factor, 1.0),
                in.duration("window", base.window),
                in.duration("warmup", base.warmup),
                in.integer("min_events", base.minEvents, 1),
                in.duration("half_life", base.halfLife));
    }

    /** The baseline's knobs. */
    RateBaseline.Knobs knobs() {
        return new RateBaseline.Knobs(window, factor, minEvents, warmup, halfLife);
    }
}
