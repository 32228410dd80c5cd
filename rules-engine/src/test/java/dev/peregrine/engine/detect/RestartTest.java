package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.state.FileSnapshotStateStore;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Killing the engine mid-trace and starting it again from its last snapshot changes no alert. */
class RestartTest {

    private static final AlertJson JSON = new AlertJson();

    private static final DetectionSettings SETTINGS = new DetectionSettings(
            PerAgent.of(DeniedBurstSettings.DEFAULTS),
            PerAgent.of(VolumeSpikeDetectorTest.SETTINGS),
            PerAgent.of(new OffHoursSettings(true, ZoneId.of("UTC"), null, Set.of(), Set.of(), Duration.ofDays(6), 0.02,
                    Duration.ofHours(1))),
            PerAgent.of(NewResourceDetectorTest.SETTINGS),
            PerAgent.of(new TokenBudgetSettings(true, 10_000, 0, List.of(50, 75, 90, 100), ZoneId.of("UTC"), 120,
                    Duration.ofHours(24))),
            PerAgent.of(SensorSilentSettings.DEFAULTS),
            PerAgent.of(MemoryAnomalySettings.DEFAULTS));

    @TempDir
    Path stateDir;

    /** Volume baselines, learned hours, first-seen sets, budgets and sensors, merged in event time. */
    private static List<Event> trace() {
        final List<Event> events = new ArrayList<>(Traces.load(
                "volume_spike/steady_10_per_minute.ndjson", "volume_spike/spike_10x.ndjson",
                "off_hours/learned_week.ndjson", "off_hours/learned_day8.ndjson",
                "new_resource/learning_hour.ndjson", "new_resource/after_learning.ndjson",
                "token_budget/session_thresholds.ndjson"));
        events.sort(Comparator.comparingLong(Event::timeNanos));
        return events;
    }

    private static List<String> json(final List<Alert> alerts) {
        return alerts.stream().map(JSON::toJson).toList();
    }

    @ParameterizedTest(name = "killed after {0}% of the trace")
    @ValueSource(ints = {10, 50, 75, 98})
    void aRestartFromTheLastSnapshotRaisesTheSameAlertsAsAnUninterruptedRun(final int percent) throws IOException {
        final List<Event> events = trace();
        final List<Alert> uninterrupted = Traces.replay(BuiltInDetectors.create(SETTINGS, new InMemoryStateStore()), events);
        final int cut = events.size() * percent / 100;

        final FileSnapshotStateStore first = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC());
        final List<Alert> alerts = new ArrayList<>(
                Traces.replay(BuiltInDetectors.create(SETTINGS, first), events.subList(0, cut)));
        first.snapshot();
        // Killed here: no close(), the snapshot on disk is all that is left.

        try (FileSnapshotStateStore second = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC())) {
            assertThat(second.problems()).isEmpty();
            alerts.addAll(Traces.replay(BuiltInDetectors.create(SETTINGS, second), events.subList(cut, events.size())));
        }

        assertThat(json(alerts)).isEqualTo(json(uninterrupted));
        assertThat(uninterrupted).extracting(Alert::ruleId)
                .contains("volume_spike", "off_hours", "new_resource", "token_budget", "sensor_silent");
    }

    @Test
    void aSpikeRightAfterARestartIsDetectedWithoutWarmingUpAgain() throws IOException {
        try (FileSnapshotStateStore store = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC())) {
            Traces.replay(BuiltInDetectors.create(SETTINGS, store), Traces.load("volume_spike/steady_10_per_minute.ndjson"));
        }
        final List<Event> spike = Traces.load("volume_spike/spike_10x.ndjson");

        final List<Alert> afterRestart;
        try (FileSnapshotStateStore store = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC())) {
            afterRestart = Traces.replay(BuiltInDetectors.create(SETTINGS, store), spike);
        }
        final List<Alert> withoutState = Traces.replay(BuiltInDetectors.create(SETTINGS, new InMemoryStateStore()), spike);

        assertThat(afterRestart).filteredOn(a -> a.ruleId().equals("volume_spike")).singleElement()
                .satisfies(alert -> assertThat(alert.outputFields()).containsEntry("baseline", 10.0));
        assertThat(withoutState).filteredOn(a -> a.ruleId().equals("volume_spike")).as("a new agent warms up").isEmpty();
        assertThat(Files.readString(stateDir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE)))
                .contains("{\"store\":\"volume_spike.baseline\",\"key\":\"ci-runner\"");
    }
}
