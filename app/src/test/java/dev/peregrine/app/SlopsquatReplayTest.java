package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlopsquatReplayTest {

    private static final Path EXAMPLE = Path.of("..", "examples", "slopsquat");

    @Test
    void anInventedPackageNameAlertsWithItsEvidence(@TempDir final Path dir) {
        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                EXAMPLE.resolve("hallucinated-install.ndjson").toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        final List<String> slopsquat = run.stdout().lines().filter(line -> line.contains("\"rule_id\":\"slopsquat"))
                .toList();
        assertThat(slopsquat).anySatisfy(alert -> assertThat(alert).contains(
                "\"rule_id\":\"slopsquat_not_in_registry\"", "flask-gpt-helper", "\"agent\":\"ci-runner\"",
                "\"slopsquat.snapshot_date\""));
        assertThat(slopsquat).anySatisfy(alert -> assertThat(alert).contains(
                "\"rule_id\":\"slopsquat_typosquat\"", "reqeusts", "\"slopsquat.closest\":\"requests\""));
        assertThat(slopsquat).anySatisfy(alert -> assertThat(alert).contains("crossenv", "cross-env"));
        assertThat(slopsquat).as("requests and numpy are what they claim to be")
                .noneMatch(alert -> alert.contains("\"package.name\":\"requests\"")
                        || alert.contains("\"package.name\":\"numpy\""));
    }

    @Test
    void aFlaggedInstallWhoseBuildStepPhonesHomeEscalatesToOneCriticalAlert(@TempDir final Path dir) {
        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                EXAMPLE.resolve("install-then-egress.ndjson").toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).anySatisfy(line -> assertThat(line).contains(
                "\"rule_id\":\"slopsquat_not_in_registry\"", "flask-gpt-helper"));
        assertThat(run.stdout().lines().filter(line -> line.contains("\"rule_id\":\"slopsquat_escalation\"")))
                .singleElement().satisfies(alert -> assertThat(alert).contains(
                        "\"priority\":\"Critical\"", "\"package.name\":\"flask-gpt-helper\"",
                        "\"follow.up\":\"egress\"", "\"follow.up.target\":\"telemetry.gpt-helper.dev\"",
                        "\"session\":\"s-3d9e71\""));
        assertThat(run.stderr()).contains("slopsquat_escalation");
    }

    @Test
    void anInstallWithoutFollowUpIsNotEscalated(@TempDir final Path dir) {
        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                EXAMPLE.resolve("hallucinated-install.ndjson").toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).noneMatch(line -> line.contains("\"rule_id\":\"slopsquat_escalation\""));
    }

    @Test
    void popularPackagesRaiseNoSlopsquatAlert(@TempDir final Path dir) {
        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                EXAMPLE.resolve("benign-install.ndjson").toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).noneMatch(line -> line.contains("\"rule_id\":\"slopsquat"));
    }
}
