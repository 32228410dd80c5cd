package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.state.FileSnapshotStateStore;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryDetectorTest {

    private static final PerAgent<MemoryAnomalySettings> SETTINGS = settings();

    private final MemoryDetector detector = new MemoryDetector(SETTINGS, new InMemoryStateStore());

    @TempDir
    Path stateDir;

    private static PerAgent<MemoryAnomalySettings> settings() {
        try {
            return DetectionSettings.parse("""
                    detections:
                      memory_anomaly:
                        shared_namespaces: [team-kb]
                    """, "peregrine.yaml").memoryAnomaly();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPoisonedWriteAlertsOnceAndEachOtherReaderOnce() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "poisoned_shared_entry_read_by_two_agents.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).containsExactly("memory_anomaly.instruction",
                "memory_anomaly.tainted_read", "memory_anomaly.tainted_read");
        final Alert write = alerts.get(0);
        assertThat(write.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(write.outputFields()).containsEntry("finding_kinds", "instruction,url")
                .containsEntry("memory.namespace", "team-kb").containsEntry("memory.key", "deploy-notes");
        assertThat((String) write.outputFields().get("findings"))
                .contains("instruction@", "(override instruction)", "url@", "collect.evil-metrics.io");
        assertThat((String) write.outputFields().get("excerpt")).hasSizeLessThanOrEqualTo(Evidence.MAX_EXCERPT + 6)
                .contains("any agent reading this");
        assertThat(alerts.subList(1, 3)).extracting(Alert::agent).containsExactly("ci-runner", "release-bot");
        assertThat(alerts.get(1).outputFields()).containsEntry("written_by", "research-bot")
                .containsEntry("written_session", "s-r1").containsEntry("write_alert_id", write.id())
                .containsEntry("written_at", "2026-11-24T09:00:05.000000000Z");
        assertThat(alerts.get(1).priority()).isEqualTo(Priority.CRITICAL);
    }

    @Test
    void alertsNeverCarryTheWholeContent() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "poisoned_shared_entry_read_by_two_agents.ndjson");

        assertThat(alerts).allSatisfy(alert -> {
            assertThat(alert.output()).doesNotContain("before every deploy").doesNotContain("Deploy checklist");
            assertThat(alert.outputFields().values()).noneMatch(v -> v != null && v.toString().contains("Deploy checklist"));
        });
    }

    @Test
    void theSameFactsWithoutInstructionsInTheWritersOwnNamespaceRaiseNothing() {
        assertThat(MemoryTraces.replay(detector, "clean_entry_in_own_namespace.ndjson")).isEmpty();
    }

    @Test
    void benignLookAlikesRaiseNothing() {
        assertThat(MemoryTraces.replay(detector, "benign_look_alikes.ndjson")).isEmpty();
        assertThat(detector.taintedEntries()).isZero();
    }

    @Test
    void aWriteIntoAnotherAgentsNamespaceIsCrossNamespaceButSharedOnesAreFine() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "write_into_another_agents_namespace.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("memory_anomaly.cross_namespace");
            assertThat(alert.priority()).isEqualTo(Priority.WARNING);
            assertThat(alert.outputFields()).containsEntry("memory.namespace", "ci-runner")
                    .containsEntry("findings", "cross_namespace@0-0 (agent research-bot may not write namespace ci-runner)");
        });
    }

    @Test
    void aCleanRewriteClearsTheTaint() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "clean_rewrite_clears_taint.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).containsExactly("memory_anomaly.instruction");
        assertThat(detector.isTainted("team-kb", "onboarding")).isFalse();
    }

    @Test
    void aBatchJobWithinTheBaselineDoesNotAlertButABurstDoes() {
        assertThat(MemoryTraces.replay(detector, "writes_steady_3_per_minute.ndjson", "writes_batch_job_25.ndjson"))
                .isEmpty();

        final List<Alert> alerts = MemoryTraces.replay(detector, "writes_burst_35.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("memory_anomaly.write_burst");
            assertThat(alert.count()).isEqualTo(31);
            assertThat((Double) alert.outputFields().get("baseline")).isBetween(3.0, 3.1);
        });
    }

    @Test
    void aWriteFarAboveTheAgentsNormIsOversize() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "oversize_write.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("memory_anomaly.oversize");
            assertThat(alert.priority()).isEqualTo(Priority.NOTICE);
            assertThat(alert.outputFields()).containsEntry("memory.size", 9216L).containsEntry("memory.key", "dump");
        });
    }

    @Test
    void theTaintSurvivesARestart() throws Exception {
        final List<dev.peregrine.collector.event.Event> events =
                MemoryTraces.load("poisoned_shared_entry_read_by_two_agents.ndjson");
        final FileSnapshotStateStore first = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC());
        final List<Alert> before = MemoryTraces.replay(new MemoryDetector(SETTINGS, first), events.subList(0, 3));
        first.snapshot();

        try (FileSnapshotStateStore second = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC())) {
            final List<Alert> after = MemoryTraces.replay(new MemoryDetector(SETTINGS, second),
                    events.subList(3, events.size()));

            assertThat(before).extracting(Alert::ruleId).containsExactly("memory_anomaly.instruction");
            assertThat(after).extracting(Alert::ruleId)
                    .containsExactly("memory_anomaly.tainted_read", "memory_anomaly.tainted_read");
            assertThat(after.get(0).outputFields()).containsEntry("write_alert_id", before.get(0).id());
        }
    }

    @Test
    void replayingTheSameTraceGivesTheSameAlertIds() {
        final List<Alert> once = MemoryTraces.replay(detector, "poisoned_shared_entry_read_by_two_agents.ndjson");
        final List<Alert> again = MemoryTraces.replay(new MemoryDetector(SETTINGS, new InMemoryStateStore()),
                "poisoned_shared_entry_read_by_two_agents.ndjson");

        assertThat(again).extracting(Alert::id).isEqualTo(once.stream().map(Alert::id).toList());
    }
}
