package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.testbed.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peregrine run --kafka BOOTSTRAP < trace}, a real process on a real KRaft broker, is the
 * collector, engine and alerter in one JVM: a multi-session trace read from stdin prints exactly
 * the alerts {@code peregrine replay} prints for it (ids, counts and every other field), and the
 * process exits by itself once they are delivered.
 */
class RunOnKafkaMatchesReplayTest {

    private static final Path INCIDENT = Path.of("..", "examples", "incident-credential-theft");
    private static final int SESSIONS = 3;
    private static final Pattern TIME = Pattern.compile("\"(?:evt\\.)?time\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void aTraceOnStdinThroughKafkaGivesTheAlertsOfAReplayAndRunExitsWhenTheyAreDelivered() throws Exception {
        final Path trace = multiSessionTrace();
        final CommandLineRun replay = CommandLineRun.of("replay", "--stdout-format", "json",
                "--dead-letter", dir.resolve("dl-replay.ndjson").toString(), trace.toString());
        assertThat(replay.exitCode()).as(replay.stderr()).isZero();
        final List<String> expected = replay.stdout().lines().sorted().toList();
        assertThat(expected).as("every session raises its alerts")
                .anyMatch(line -> line.contains("\"session\":\"s-8f2c-1\""))
                .anyMatch(line -> line.contains("\"session\":\"s-8f2c-" + SESSIONS + "\""));

        try (KafkaBroker kafka = KafkaBroker.start()) {
            final Path stdout = dir.resolve("run.out");
            final Path stderr = dir.resolve("run.err");
            final Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Peregrine.class.getName(),
                    "run", "--kafka", kafka.bootstrapServers(), "--stdout-format", "json", "--http-port", "0",
                    "--state-dir", dir.resolve("state").toString(), "--spool-dir", dir.resolve("spool").toString(),
                    "--dead-letter", dir.resolve("dl-run.ndjson").toString())
                    .redirectInput(trace.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .start();
            try {
                assertThat(run.waitFor(3, TimeUnit.MINUTES)).as("run exits once its input is delivered").isTrue();
                assertThat(run.exitValue()).as(Files.readString(stderr)).isZero();
            } finally {
                run.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(Files.readAllLines(stdout).stream().sorted().toList()).isEqualTo(expected);
        }
    }

    /** The incident once per session, three sessions interleaved in one file in event-time order. */
    private Path multiSessionTrace() throws Exception {
        final List<String> lines = new ArrayList<>();
        for (int session = 1; session <= SESSIONS; session++) {
            for (final String name : List.of("agent-events.ndjson", "os-events.ndjson")) {
                final String text = Files.readString(INCIDENT.resolve(name), StandardCharsets.UTF_8)
                        .replace("\"s-8f2c\"", "\"s-8f2c-" + session + "\"");
                text.lines().filter(line -> !line.isBlank()).forEach(lines::add);
            }
        }
        lines.sort(Comparator.comparing(RunOnKafkaMatchesReplayTest::time));
        final Path file = dir.resolve("trace.ndjson");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static String time(final String line) {
        final Matcher matcher = TIME.matcher(line);
        assertThat(matcher.find()).as("a time in %s", line).isTrue();
        return matcher.group(1);
    }
}
