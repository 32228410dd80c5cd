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
            // ci-runner and release-bot read each other's notes by design; support-bot reads the product docs
            return DetectionSettings.parse("""
                    detections:
                      memory_anomaly:
                        shared_namespaces: [team-kb]
                        agents:
                          ci-runner: { read_namespaces: [research-bot] }
                          release-bot: { read_namespaces: [ci-runner] }
                          support-bot: { read_namespaces: [product-docs, "kb/*"] }
                          docs-bot: { namespaces: [product-docs] }
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
    void readsOutsideTheAgentsNamespacesAlertOncePerNamespaceAndWindowNotPerRead() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "reads_outside_the_agents_namespaces.ndjson");

        // nine foreign reads over two namespaces and two hours: one alert per namespace and hour
        assertThat(alerts).extracting(Alert::ruleId).containsOnly("memory_anomaly.cross_namespace_read");
        assertThat(alerts).extracting(alert -> alert.outputFields().get("memory.namespace") + " "
                + alert.outputFields().get("memory.key") + " " + alert.session()).containsExactly(
                "hr-bot salaries/2026 s-s1", "finance-bot invoices/2026-10 s-s1", "hr-bot salaries/2026 s-s2");
        assertThat(alerts.get(0).priority()).isEqualTo(Priority.WARNING);
        assertThat(alerts.get(0).agent()).isEqualTo("support-bot");
        assertThat(alerts.get(0).outputFields()).containsEntry("window_start", "2026-11-25T08:00:00.000000000Z")
                .containsEntry("window_seconds", 3600L);
        assertThat(alerts.get(0).output()).contains("agent=support-bot", "read hr-bot/salaries/2026",
                "until 2026-11-25T09:00:00.000000000Z are not alerted");
        assertThat(alerts.get(2).id()).isNotEqualTo(alerts.get(0).id());
    }

    @Test
    void readsThePolicyAllowsRaiseNothing() {
        // own namespace and one below it, a shared one, one listed for the reader, one under a listed prefix
        assertThat(MemoryTraces.replay(detector, "reads_within_the_policy.ndjson")).isEmpty();
    }

    @Test
    void aReadOutsideThePolicyAlertsAgainAfterARestartOnlyInANewWindow() throws Exception {
        final List<dev.peregrine.collector.event.Event> events =
                MemoryTraces.load("reads_outside_the_agents_namespaces.ndjson");
        final FileSnapshotStateStore first = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC());
        final List<Alert> before = MemoryTraces.replay(new MemoryDetector(SETTINGS, first), events.subList(0, 4));
        first.snapshot();

        try (FileSnapshotStateStore second = FileSnapshotStateStore.open(stateDir, Duration.ofMinutes(1), Clock.systemUTC())) {
            final List<Alert> after = MemoryTraces.replay(new MemoryDetector(SETTINGS, second),
                    events.subList(4, events.size()));

            assertThat(before).extracting(alert -> alert.outputFields().get("memory.namespace")).containsExactly("hr-bot");
            assertThat(after).extracting(alert -> alert.outputFields().get("memory.namespace"))
                    .containsExactly("finance-bot", "hr-bot");
        }
    }

    @Test
    void oneSessionBurstingWhileItsAgentStaysWithinBaselineIsASessionBurst() {
        final List<Alert> alerts = MemoryTraces.replay(detector, "writes_three_sessions_steady.ndjson",
                "session_burst_40.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("memory_anomaly.session_write_burst");
            assertThat(alert.priority()).isEqualTo(Priority.WARNING);
            assertThat(alert.session()).isEqualTo("s-c");
            assertThat(alert.count()).isEqualTo(30);
            assertThat((Double) alert.outputFields().get("baseline")).isBetween(2.9, 3.1);
            assertThat(alert.output()).contains("agent=helpdesk session=s-c made 30 memory writes");
        });
    }

    @Test
    void aNewSessionThatOpensWithABatchIsNotABurst() {
        assertThat(MemoryTraces.replay(detector, "writes_three_sessions_steady.ndjson",
                "new_session_opens_with_batch_25.ndjson")).isEmpty();
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
