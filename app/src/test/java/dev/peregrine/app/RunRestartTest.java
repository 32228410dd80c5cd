package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the detections learn survives stopping {@code peregrine run}: an agent's volume baseline
 * learned before a restart still makes a spike right after it alert, where a monitor that
 * forgot would still be warming up and stay silent.
 */
class RunRestartTest {

    private static final Instant START = Instant.parse("2026-11-23T08:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aBaselineLearnedBeforeARestartStillCatchesASpikeAfterIt() throws Exception {
        // two quiet hours: 5 calls a minute, past the 1 h warm-up
        final Path quiet = dir.resolve("quiet.ndjson");
        Files.write(quiet, calls(START, 120, 5));
        // then a minute of 100 calls: the alert comes at the 50th, 10x the baseline
        final Path spike = dir.resolve("spike.ndjson");
        Files.write(spike, calls(START.plusSeconds(120 * 60), 1, 100));
        final Path state = dir.resolve("state");

        follow(quiet, state, 600, "first");
        final List<String> afterRestart = follow(spike, state, 100, "second");
        final List<String> withoutState = follow(spike, dir.resolve("fresh-state"), 100, "control");

        assertThat(afterRestart).filteredOn(line -> line.contains("\"rule_id\":\"volume_spike\""))
                .singleElement().satisfies(alert -> assertThat(alert).contains("\"agent\":\"ci-runner\"",
                        "its baseline of 5.0 per 1m"));
        assertThat(withoutState).as("a monitor without the learned baseline is still in warm-up")
                .noneMatch(line -> line.contains("\"rule_id\":\"volume_spike\""));
    }

    /** Runs {@code run --follow trace} until it has read {@code events}, stops it with SIGTERM, returns its alerts. */
    private List<String> follow(final Path trace, final Path stateDir, final int events, final String name)
            throws IOException, InterruptedException {
        final int port = PeregrineProcess.freePort();
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve(name + ".out"), Map.of(), List.of("run",
                "--follow", trace.toString(), "--state-dir", stateDir.toString(), "--http-port", Integer.toString(port),
                "--dead-letter", dir.resolve(name + "-dead-letter.ndjson").toString(),
                "--spool-dir", dir.resolve("spool").toString()))) {
            run.await(name + " run reading " + events + " events",
                    () -> PeregrineProcess.metric(port, "peregrine_events_total{") == events);
            // the JVM reports a SIGTERM as 128 + 15 once the shutdown hook has drained the pipeline
            assertThat(run.terminate()).as("exit code of the %s run", name).isEqualTo(143);
            return run.stdoutLines();
        }
    }

    private static List<String> calls(final Instant from, final int minutes, final int perMinute) {
        final List<String> lines = new java.util.ArrayList<>();
        for (int minute = 0; minute < minutes; minute++) {
            for (int call = 0; call < perMinute; call++) {
                final Instant at = from.plusSeconds(minute * 60L).plusMillis(call * (59_000L / perMinute));
                lines.add("{\"time\":\"" + at + "\",\"agent\":\"ci-runner\",\"session\":\"s-42\",\"type\":\"tool_call\","
                        + "\"tool\":\"github\",\"action\":\"repos:get\",\"resource\":\"repos/acme/api\","
                        + "\"outcome\":\"allowed\"}");
            }
        }
        return lines;
    }
}
