package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

    private static final Path INCIDENT = Path.of("..", "examples", "incident-credential-theft");

    @Test
    void replayOfTheExampleIncidentPrintsTheSameAlertsOnEveryRun(@TempDir final Path dir) {
        final String[] args = {"replay", "--dead-letter", dir.resolve("dl.ndjson").toString(),
                INCIDENT.resolve("os-events.ndjson").toString(), INCIDENT.resolve("agent-events.ndjson").toString()};

        final CommandLineRun first = CommandLineRun.of(args);
        final CommandLineRun second = CommandLineRun.of(args);

        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout()).isNotBlank().isEqualTo(second.stdout());
        assertThat(first.stdout().lines()).allSatisfy(line -> assertThat(line).startsWith("{\"time\":"));
        assertThat(first.stdout()).contains("\"rule_id\":\"agent_shell_spawned\"",
                "\"rule_id\":\"read_cloud_credentials\"", "\"rule_id\":\"read_ssh_private_key\"",
                "\"rule_id\":\"read_env_file\"", "\"rule_id\":\"cloud_metadata_connect\"",
                "\"rule_id\":\"pipe_to_shell_download\"", "\"rule_id\":\"agent_tool_call_denied\"");
        assertThat(first.stderr()).contains("84 events read, 0 rejected");
        assertThat(dir.resolve("dl.ndjson")).doesNotExist();
    }

    @Test
    void everyMalformedLineIsCountedAndKeptAndEveryGoodLineProcessed(@TempDir final Path dir) throws IOException {
        final Path input = dir.resolve("mixed.ndjson");
        final Path deadLetter = dir.resolve("dead/letter.ndjson");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> good = List.of(
                "{\"evt.time\":\"2026-11-22T10:00:00Z\",\"evt.source\":\"agent\",\"evt.type\":\"tool_call\",\"agent.id\":\"a\",\"agent.session\":\"s\",\"tool.name\":\"github\",\"tool.outcome\":\"denied\"}",
                "{\"time\":\"2026-11-22T10:00:01Z\",\"agent\":\"a\",\"session\":\"s\",\"type\":\"tool_call\",\"tool\":\"shell\",\"outcome\":\"denied\"}",
                "{\"evt.time\":1795341602000000000,\"evt.type\":\"execve\",\"proc.name\":\"ls\"}");
        bytes.writeBytes((good.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{not json\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{\"evt.type\":\"execve\",\"proc.name\":\"ls\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes((good.get(1) + "\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{\"evt.time\":\"2026-11-22T10:00:02Z\",\"proc.pid\":\"abc\"}\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(("{\"evt.time\":\"2026-11-22T10:00:03Z\",\"proc.cmdline\":\"" + "A".repeat(2 * 1024 * 1024)
                + "\"}\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        bytes.writeBytes((good.get(2) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(input, bytes.toByteArray());

        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", deadLetter.toString(), input.toString());

        assertThat(run.exitCode()).as("rejected input is a finding").isEqualTo(ExitCode.INPUT_PROBLEMS);
        assertThat(run.stderr()).contains("8 events read, 5 rejected")
                .contains("malformed_json=1", "missing_field=1", "invalid_value=1", "too_long=1", "invalid_encoding=1")
                .contains(deadLetter.toString());
        assertThat(Files.readAllLines(deadLetter)).hasSize(5)
                .extracting(line -> line.replaceAll(".*\"line\":(\\d+).*", "$1"))
                .containsExactly("2", "3", "5", "6", "7");
        // both denied tool calls (native and agent format) reached the rules
        assertThat(run.stdout().lines().filter(line -> line.contains("\"rule_id\":\"agent_tool_call_denied\"")))
                .hasSize(2);
    }

    @Test
    void aMissingInputFileIsAUsageError() {
        final CommandLineRun run = CommandLineRun.of("replay", "no/such/file.ndjson");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("no/such/file.ndjson").contains("no such file");
    }

    @Test
    void aRawAuditLogIsDetectedAndItsMetadataConnectAlerts(@TempDir final Path dir) {
        // real auditd output (elastic/go-libaudit test data): a connect() to 169.254.169.254:80
        final Path auditLog = Path.of("..", "collector", "src", "test", "resources", "dev", "peregrine", "collector",
                "auditd", "testdata_normal.log");

        final CommandLineRun run = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                auditLog.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).singleElement().satisfies(alert -> assertThat(alert)
                .contains("\"rule_id\":\"cloud_metadata_connect\"", "\"source\":\"auditd\"", "169.254.169.254"));
    }

    @Test
    void anUnknownFormatNameIsAUsageError() {
        final CommandLineRun run = CommandLineRun.of("replay", "--format", "pcap", "x.ndjson");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("pcap");
    }

    @Test
    void aThousandIdenticalAlertsInOneWindowAreDeliveredOnceWithTheirCount(@TempDir final Path dir) throws IOException {
        final Path trace = dir.resolve("denials.ndjson");
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            // 1,000 identical denials 20 ms apart: all inside one 60 s window
            lines.append(String.format("{\"time\":\"2026-11-22T10:00:%02d.%03dZ\",\"agent\":\"ci-runner\","
                    + "\"session\":\"s-1\",\"type\":\"tool_call\",\"tool\":\"github\",\"action\":\"git:push\","
                    + "\"resource\":\"repos/acme/api/branches/main\",\"outcome\":\"denied\",\"reason\":\"policy\"}%n",
                    i * 20 / 1000, i * 20 % 1000));
        }
        Files.writeString(trace, lines);

        final CommandLineRun deduplicated = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                trace.toString());
        final CommandLineRun raw = CommandLineRun.of("replay", "--dedup-window", "0",
                "--dead-letter", dir.resolve("dl").toString(), trace.toString());

        assertThat(deduplicated.exitCode()).as(deduplicated.stderr()).isZero();
        // the built-in denied_burst detection sees one burst, however long: one alert of its own
        assertThat(deduplicated.stdout().lines().filter(line -> line.contains("\"rule_id\":\"denied_burst\"")))
                .singleElement().satisfies(burst -> assertThat(burst).contains("\"agent\":\"ci-runner\""));
        final List<String> delivered = deduplicated.stdout().lines()
                .filter(line -> line.contains("\"rule_id\":\"agent_tool_call_denied\"")).toList();
        // the first alert at once, a summary every 100 repeats, and the final count at the end
        assertThat(delivered).extracting(line -> line.replaceAll(".*\"count\":(\\d+).*", "$1"))
                .containsExactly("1", "101", "201", "301", "401", "501", "601", "701", "801", "901", "1000");
        assertThat(delivered).extracting(line -> line.replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1"))
                .as("every update carries the first alert's id, so a SIEM overwrites it").containsOnly(
                        delivered.get(0).replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1"));
        assertThat(delivered.get(10)).contains("\"first_seen\":\"2026-11-22T10:00:00.000000000Z\"",
                "\"last_seen\":\"2026-11-22T10:00:19.980000000Z\"");
        assertThat(raw.stdout().lines().filter(line -> line.contains("\"rule_id\":\"agent_tool_call_denied\"")))
                .hasSize(1000);
    }

    @Test
    void ancestorFieldsAreFilledFromTheProcessTreeWhenEventsDoNotCarryThem(@TempDir final Path dir) throws IOException {
        // the openat names only its own pid; its parent and grandparent are known from earlier execve events
        final Path trace = dir.resolve("tree.ndjson");
        Files.writeString(trace, String.join("\n",
                "{\"evt.time\":\"2026-11-22T10:00:00Z\",\"evt.type\":\"execve\",\"host.name\":\"sbx-1\","
                        + "\"proc.pid\":100,\"proc.ppid\":1,\"proc.name\":\"agentd\",\"proc.exe\":\"/usr/bin/agentd\"}",
                "{\"evt.time\":\"2026-11-22T10:00:01Z\",\"evt.type\":\"execve\",\"host.name\":\"sbx-1\","
                        + "\"proc.pid\":101,\"proc.ppid\":100,\"proc.name\":\"bash\",\"proc.exe\":\"/bin/bash\"}",
                "{\"evt.time\":\"2026-11-22T10:00:02Z\",\"evt.type\":\"execve\",\"host.name\":\"sbx-1\","
                        + "\"proc.pid\":102,\"proc.ppid\":101,\"proc.name\":\"cat\",\"proc.exe\":\"/bin/cat\"}",
                "{\"evt.time\":\"2026-11-22T10:00:03Z\",\"evt.type\":\"openat\",\"host.name\":\"sbx-1\","
                        + "\"proc.pid\":102,\"proc.name\":\"cat\",\"fd.name\":\"/etc/shadow\"}",
                // the same read on another host, whose tree has no agentd: must not alert
                "{\"evt.time\":\"2026-11-22T10:00:04Z\",\"evt.type\":\"openat\",\"host.name\":\"sbx-2\","
                        + "\"proc.pid\":102,\"proc.name\":\"cat\",\"fd.name\":\"/etc/shadow\"}") + "\n");

        final CommandLineRun run = CommandLineRun.of("replay", "--rules", "src/test/resources/rules/ancestry.yaml",
                "--dead-letter", dir.resolve("dl").toString(), trace.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).singleElement().satisfies(alert -> assertThat(alert)
                .contains("\"rule_id\":\"shadow_read_below_agent\"", "\"hostname\":\"sbx-1\"",
                        "shadow read by cat parent=bash grandparent=agentd"));
    }
}
