package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peregrine.alerting.archive.HourlyFileArchive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the config file's {@code alerts.routes}, {@code alerts.redaction} and {@code archive}
 * sections do to a live {@code peregrine run}, and {@code --archive-dir} to a replay.
 */
class AlertRoutingAndArchiveTest {

    private static final Path INCIDENT = Path.of("..", "examples", "incident-credential-theft");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void replayArchivesEveryEventItReadInHourlyGzipFiles(@TempDir final Path dir) throws IOException {
        final Path os = INCIDENT.resolve("os-events.ndjson");
        final Path agent = INCIDENT.resolve("agent-events.ndjson");
        final long events = Files.readAllLines(os).stream().filter(line -> !line.isBlank()).count()
                + Files.readAllLines(agent).stream().filter(line -> !line.isBlank()).count();

        final CommandLineRun run = CommandLineRun.of("replay", "--archive-dir", dir.resolve("archive").toString(),
                "--dead-letter", dir.resolve("dl").toString(), os.toString(), agent.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        final List<JsonNode> archived = archived(dir.resolve("archive"));
        assertThat(archived).hasSize((int) events);
        assertThat(archived).as("benign events are kept too, not only those that alerted")
                .anyMatch(event -> "llm_call".equals(event.path("evt.type").asText()))
                .anyMatch(event -> "ci-runner".equals(event.path("agent.id").asText()));

        // the archive is evidence: replayed, it tells the same story, alert for alert
        final Path unpacked = dir.resolve("archived.ndjson");
        Files.write(unpacked, archived.stream().map(JsonNode::toString).toList());
        final CommandLineRun again = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl2").toString(),
                unpacked.toString());
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdout().lines().sorted().toList()).isNotEmpty()
                .isEqualTo(run.stdout().lines().sorted().toList());
    }

    @Test
    void routesSendEachSinkOnlyTheAlertsItTakesAndOperatorPatternsMaskEverywhere(@TempDir final Path dir)
            throws Exception {
        final Path trace = dir.resolve("denials.ndjson");
        Files.write(trace, List.of(
                denial("2026-11-23T09:00:00Z", "git push --force origin main"),
                denial("2026-11-23T09:00:05Z", "curl https://tickets.example/TICKET-482913"),
                // Critical: for stdout (Warning and above), not for the file (denials only)
                "{\"time\":\"2026-11-23T09:00:06Z\",\"agent\":\"coder\",\"session\":\"s1\","
                        + "\"type\":\"http_request\",\"method\":\"GET\","
                        + "\"url\":\"http://169.254.169.254/latest/meta-data/iam/\",\"status\":200}",
                // Notice and not a denial: no route takes it, and that is counted
                "{\"time\":\"2026-11-23T09:00:06.500Z\",\"agent\":\"coder\",\"session\":\"s1\","
                        + "\"type\":\"http_request\",\"method\":\"GET\",\"url\":\"https://example.com/\","
                        + "\"status\":200}",
                // the same agent reading its own workspace: benign, archived, no alert
                "{\"time\":\"2026-11-23T09:00:07Z\",\"agent\":\"coder\",\"session\":\"s1\",\"type\":\"tool_call\","
                        + "\"tool\":\"fs\",\"action\":\"read\",\"resource\":\"/workspace/README.md\","
                        + "\"outcome\":\"allowed\"}"));
        final Path alertsFile = dir.resolve("alerts.ndjson");
        final Path config = dir.resolve("peregrine.yaml");
        Files.writeString(config, """
                alerts:
                  stdout: true
                  file: %s
                  routes:
                    stdout:
                      min_priority: warning
                      # the config file's audit event (config_loaded) is stamped now, days after this
                      # trace: that jump in event time makes the trace's sensor silent
                      exclude_rules: [sensor_silent]
                    file:
                      rules: [agent_tool_call_denied]
                  redaction:
                    patterns:
                      - name: ticket
                        regex: TICKET-[0-9]{6}
                        keep_prefix: 3
                archive:
                  dir: %s
                """.formatted(alertsFile, dir.resolve("archive")));

        final int port = PeregrineProcess.freePort();
        final List<String> stdout;
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("run.out"), Map.of(), List.of("run",
                "--config", config.toString(), "--follow", trace.toString(), "--state-dir",
                dir.resolve("state").toString(), "--http-port", Integer.toString(port), "--dead-letter",
                dir.resolve("dl").toString(), "--stdout-format", "json"))) {
            run.await("run reading 5 events", () -> PeregrineProcess.metric(port, "peregrine_events_total{") == 5);
            run.await("both denials in the alerts file", () -> lines(alertsFile).size() == 2);
            run.await("the alert no route takes counted",
                    () -> PeregrineProcess.metric(port, "peregrine_alerts_unrouted_total") == 1);
            run.terminate();
            stdout = run.stdoutLines();
        }

        final List<String> filed = lines(alertsFile);
        assertThat(filed).hasSize(2).allMatch(line -> line.contains("\"rule_id\":\"agent_tool_call_denied\""));
        assertThat(stdout).as("only the Critical alert reaches stdout").singleElement()
                .satisfies(line -> assertThat(line).contains("\"rule_id\":\"agent_http_metadata_request\""));
        assertThat(String.join("\n", filed)).contains("TIC****").doesNotContain("482913");
        // the trace's five events, and the audit event of the config file run started with
        assertThat(archived(dir.resolve("archive"))).hasSize(6)
                .filteredOn(event -> "config".equals(event.path("platform.op").asText())).singleElement()
                .satisfies(event -> assertThat(event.path("platform.outcome").asText()).isEqualTo("loaded"));
    }

    private static String denial(final String time, final String command) {
        return "{\"time\":\"" + time + "\",\"agent\":\"coder\",\"session\":\"s1\",\"type\":\"tool_call\","
                + "\"tool\":\"bash\",\"action\":\"exec\",\"resource\":\"" + command + "\",\"outcome\":\"denied\","
                + "\"reason\":\"blocked by policy\"}";
    }

    private static List<String> lines(final Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event in the archive's completed files. */
    private static List<JsonNode> archived(final Path archive) throws IOException {
        final List<JsonNode> events = new ArrayList<>();
        for (final Path file : HourlyFileArchive.completeFiles(archive)) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    events.add(JSON.readTree(line));
                }
            }
        }
        return events;
    }
}
