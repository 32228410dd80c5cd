package dev.peregrine.engine.detect;

import dev.peregrine.engine.Detector;
import dev.peregrine.engine.memory.MemoryAudit;
import dev.peregrine.engine.memory.MemoryDetector;
import dev.peregrine.engine.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Builds the built-in detections from their settings and a state store: what a runner calls. */
public final class BuiltInDetectors {

    private BuiltInDetectors() {
    }

    /**
     * Every detection enabled globally or for some agent, in a fixed order. Detectors that keep
     * state open their stores in {@code state} now, so a store loaded from a snapshot hands them
     * what the previous run learned.
     */
    public static List<Detector> create(final DetectionSettings settings, final StateStore state) {
        return create(settings, state, MemoryAudit.NONE);
    }

    /** As {@link #create(DetectionSettings, StateStore)}, with every memory read and write reported to {@code memoryAudit}. */
    public static List<Detector> create(final DetectionSettings settings, final StateStore state,
                                        final MemoryAudit memoryAudit) {
        final List<Detector> detectors = new ArrayList<>();
        if (anyEnabled(settings.deniedBurst(), DeniedBurstSettings::enabled)) {
            detectors.add(new DeniedBurstDetector(settings.deniedBurst()));
        }
        if (anyEnabled(settings.volumeSpike(), VolumeSpikeSettings::enabled)) {
            detectors.add(new VolumeSpikeDetector(settings.volumeSpike(), state));
        }
        if (anyEnabled(settings.offHours(), OffHoursSettings::enabled)) {
            detectors.add(new OffHoursDetector(settings.offHours(), state));
        }
        if (anyEnabled(settings.newResource(), NewResourceSettings::enabled)) {
            detectors.add(new NewResourceDetector(settings.newResource(), state));
        }
        if (anyEnabled(settings.tokenBudget(), TokenBudgetSettings::enabled)) {
            detectors.add(new TokenBudgetDetector(settings.tokenBudget(), state));
        }
        if (anyEnabled(settings.sensorSilent(), SensorSilentSettings::enabled)) {
            detectors.add(new SensorSilentDetector(settings.sensorSilent(), state));
        }
        if (anyEnabled(settings.memoryAnomaly(), MemoryAnomalySettings::enabled)) {
            detectors.add(new MemoryDetector(settings.memoryAnomaly(), state, memoryAudit));
        }
        return List.copyOf(detectors);
    }

    private static <S> boolean anyEnabled(final PerAgent<S> settings, final Predicate<S> enabled) {
        return enabled.test(settings.global()) || settings.agents().values().stream().anyMatch(enabled);
    }
}
