package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded Claude Code session (hook payloads only, as {@code peregrine hook} forwards them)
 * replayed: the Bash tool's {@code pip install} of an invented name raises slopsquat from the
 * {@code PreToolUse} hook alone, at the time that hook fired, with no OS event in the input.
 */
class ClaudeCodeReplayTest {

    private static final Path SESSION = Path.of("..", "examples", "integrations", "claude-code", "session.ndjson");

    @Test
    void anInventedPipInstallInABashToolCallRaisesSlopsquatFromTheHookEventAlone(@TempDir final Path dir)
            throws Exception {
        assertThat(Files.readAllLines(SESSION)).as("hook payloads only: no OS event to lean on")
                .allSatisfy(line -> assertThat(line).contains("\"hook_event_name\":").doesNotContain("\"evt.type\""));

        // no --format: replay recognises hook payloads by their hook_event_name
        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                SESSION.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("8 events read, 0 rejected");
        final List<String> slopsquat = run.stdout().lines().filter(line -> line.contains("\"rule_id\":\"slopsquat"))
                .toList();
        assertThat(slopsquat).singleElement().asString().contains(
                "\"rule_id\":\"slopsquat_not_in_registry\"", "\"package.name\":\"flask-gpt-helper\"",
                "\"source\":\"agent\"", "\"agent\":\"claude-code\"",
                "\"session\":\"9f3c2a1e-5b7d-4c2e-8a41-0d6e2f1b7c90\"",
                // the PreToolUse hook's time: before the tool ran, let alone any process of it
                "\"time\":\"2026-11-27T09:00:21.775000000Z\"");
        assertThat(dir.resolve("dl")).doesNotExist();
    }
}
