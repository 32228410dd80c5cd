package dev.peregrine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Timestamps;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code slopsquat_escalation}: a flagged package install followed within 5 minutes by egress
 * outside the allow-list, or by a process started from the package, is one Critical alert; a
 * popular package, a late follow-up or none at all leaves only what the steps raise alone.
 * Traces replay through the shipped rules with the slopsquat detection, as the application runs.
 */
class SlopsquatEscalationTest {

    private static final String TRACES = "traces/slopsquat_escalation/";
    private static final String ESCALATION = "slopsquat_escalation";

    private static List<Alert> escalations(final List<Alert> alerts) {
        return alerts.stream().filter(alert -> alert.ruleId().equals(ESCALATION)).toList();
    }

    @Test
    void flaggedInstallThenEgressFromItsBuildStepIsOneCriticalNamingPackageAndDestination() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "attack.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).contains("slopsquat_not_in_registry", "egress_not_allowlisted");
        assertThat(escalations(alerts)).singleElement().satisfies(alert -> {
            assertThat(alert.priority()).isEqualTo(Priority.CRITICAL);
            assertThat(alert.agent()).isEqualTo("dev-assistant");
            assertThat(alert.session()).isEqualTo("s-3d9e71");
            assertThat(alert.output())
                    .startsWith("Flagged package install followed by egress (agent=dev-assistant session=s-3d9e71")
                    .contains("package=flask-gpt-helper ecosystem=pypi verdict=slopsquat_not_in_registry")
                    .contains("install_command=pip install flask-gpt-helper")
                    .contains("installed_at=2026-11-22T10:20:00.081000000Z")
                    .contains("target=telemetry.gpt-helper.dev")
                    .contains("pid=21422 cwd=/tmp/pip-install-8v1q2wd3/flask-gpt-helper_5c1f0e2a9b6d4e7f");
            assertThat(alert.outputFields()).containsEntry("package.name", "flask-gpt-helper")
                    .containsEntry("package.ecosystem", "pypi")
                    .containsEntry("follow.up", "egress");
            assertThat(alert.firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:20:00.081Z"));
            assertThat(alert.lastSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:20:03.348Z"));
            assertThat(alert.tags()).contains("maturity_incubating", "T1195.001");
        });
    }

    @Test
    void typosquatWhosePostinstallRunsFromNodeModulesIsOneCritical() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "exec-from-package.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).contains("slopsquat_typosquat");
        assertThat(escalations(alerts)).singleElement().satisfies(alert -> {
            assertThat(alert.priority()).isEqualTo(Priority.CRITICAL);
            assertThat(alert.output())
                    .startsWith("Flagged package install followed by process (agent=web-agent session=s-90ab44")
                    .contains("package=crossenv ecosystem=npm verdict=slopsquat_typosquat closest_popular=cross-env")
                    .contains("command=sh -c node package-setup.js pid=33125 cwd=/workspace/web/node_modules/crossenv");
        });
    }

    @Test
    void consoleScriptOfTheFlaggedPackageRunByTheAgentIsACritical() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "console-script.ndjson");

        assertThat(escalations(alerts)).singleElement().satisfies(alert -> assertThat(alert.output())
                .contains("package=flask-gpt-helper")
                .contains("follow_up=process target=/usr/local/bin/flask-gpt-helper")
                .contains("command=flask-gpt-helper init --app api"));
    }

    @Test
    void popularPackageInstallThenEgressRaisesOnlyTheEgressNotice() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "benign.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).contains("egress_not_allowlisted")
                .noneMatch(id -> id.startsWith("slopsquat"));
    }

    @Test
    void egressSixMinutesAfterTheFlaggedInstallIsOutsideTheWindow() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "late-egress.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).contains("slopsquat_not_in_registry", "egress_not_allowlisted")
                .doesNotContain(ESCALATION);
    }

    @Test
    void flaggedInstallWithoutFollowUpRaisesOnlyTheSlopsquatFindings() {
        final List<Alert> alerts = ShippedRulesTest.replay(TRACES + "no-follow-up.ndjson");

        assertThat(alerts).filteredOn(alert -> alert.ruleId().startsWith("slopsquat"))
                .extracting(Alert::ruleId)
                .containsOnly("slopsquat_not_in_registry")
                .isNotEmpty();
        assertThat(escalations(alerts)).isEmpty();
    }
}
