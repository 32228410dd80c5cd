package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event time, not arrival time, drives every detection: three hours of three agents' activity
 * (steady work, a denial burst, a probing run, a volume spike after warm-up) replayed at full
 * speed raise exactly the alerts that {@code peregrine run} raises when it follows the same
 * log, ids and counts included.
 */
class RunMatchesReplayTest {

    private static final Instant START = Instant.parse("2026-11-23T07:00:00Z");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void aReplayAndALiveRunOfTheSameLogRaiseIdenticalAlerts(@TempDir final Path dir) throws Exception {
        final Path trace = dir.resolve("three-hours.ndjson");
        final List<String> lines = threeHours();
        Files.write(trace, lines);

        final CommandLineRun replay = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl-replay").toString(),
                trace.toString());
        assertThat(replay.exitCode()).as(replay.stderr()).isZero();

        final int port = PeregrineProcess.freePort();
        final List<String> live;
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("run.out"), Map.of(), List.of("run",
                "--follow", trace.toString(), "--state-dir", dir.resolve("state").toString(),
                "--http-port", Integer.toString(port), "--dead-letter", dir.resolve("dl-run").toString()))) {
            run.await("run reading " + lines.size() + " events",
                    () -> PeregrineProcess.metric(port, "peregrine_events_total{") == lines.size());
            run.terminate();
            live = run.stdoutLines();
        }

        final List<String> replayed = replay.stdout().lines().sorted().toList();
        assertThat(replayed).as("the trace raises alerts of every kind it was written for")
                .anyMatch(line -> line.contains("\"rule_id\":\"denied_burst\""))
                .anyMatch(line -> line.contains("\"rule_id\":\"denied_burst.probing\""))
                .anyMatch(line -> line.contains("\"rule_id\":\"volume_spike\""))
                .anyMatch(line -> line.contains("\"rule_id\":\"agent_tool_call_denied\""));
        assertThat(live.stream().sorted().toList()).isEqualTo(replayed);
    }

    /** Three agents, 08:00–10:00: five calls a minute each; bursts and a spike at set times. */
    private static List<String> threeHours() {
        final List<String> lines = new ArrayList<>();
        for (int minute = 0; minute < 180; minute++) {
            for (int agent = 1; agent <= 3; agent++) {
                for (int call = 0; call < 5; call++) {
                    final Instant at = START.plusSeconds(minute * 60L + agent * 3L + call * 11L);
                    lines.add(call(at, agent, "repos:get", "repos/acme/api", "allowed"));
                }
            }
            if (minute == 40) {
                // agent 2: twelve denials of the same push within half a minute
                for (int i = 0; i < 12; i++) {
                    lines.add(call(START.plusSeconds(minute * 60L + 30 + i * 2L), 2, "git:push",
                            "repos/acme/api/branches/main", "denied"));
                }
            }
            if (minute == 95) {
                // agent 3: denied on six different repositories
                for (int i = 0; i < 6; i++) {
                    lines.add(call(START.plusSeconds(minute * 60L + 40 + i * 3L), 3, "repos:get",
                            "repos/acme/private-" + i, "denied"));
                }
            }
            if (minute == 150) {
                // agent 1: eighty extra calls in one minute, long after its warm-up
                for (int i = 0; i < 80; i++) {
                    lines.add(call(START.plusSeconds(minute * 60L + 1 + i / 2), 1, "repos:get",
                            "repos/acme/api/contents/f" + i, "allowed"));
                }
            }
        }
        lines.sort((a, b) -> a.substring(9, 33).compareTo(b.substring(9, 33)));
        return lines;
    }

    private static String call(final Instant at, final int agent, final String action, final String resource,
                               final String outcome) {
        return "{\"time\":\"" + MILLIS.format(at) + "\",\"agent\":\"agent-"
                + agent + "\",\"session\":\"s-" + agent + "\",\"type\":\"tool_call\",\"tool\":\"github\",\"action\":\""
                + action + "\",\"resource\":\"" + resource + "\",\"outcome\":\"" + outcome + "\"}";
    }
}
