package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -HUP} swaps in edited rule files while {@code peregrine run} keeps reading; a
 * broken edit is refused with its errors and the running rules go on alerting.
 */
class RunReloadTest {

    private static final String CURL_RULE = """
            - rule: Curl run
              id: curl_run
              desc: curl was run.
              condition: evt.type = execve and proc.name = curl
              output: curl run (command=%proc.cmdline)
              priority: NOTICE
              tags: [test]
            """;

    private static final String WGET_RULE = CURL_RULE.replace("Curl run", "Wget run").replace("curl_run", "wget_run")
            .replace("proc.name = curl", "proc.name = wget").replace("curl run", "wget run").replace("curl was", "wget was");

    @TempDir
    Path dir;

    @Test
    void hangupSwapsInEditedRulesAndABrokenEditChangesNothing() throws Exception {
        final Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, CURL_RULE);
        final Path events = dir.resolve("events.ndjson");
        Files.writeString(events, "");
        final int port = PeregrineProcess.freePort();
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("out.ndjson"), Map.of(), List.of("run",
                "--rules", rules.toString(), "--follow", events.toString(), "--no-builtin-detections",
                "--state-dir", dir.resolve("state").toString(), "--http-port", Integer.toString(port),
                "--dead-letter", dir.resolve("dl").toString()))) {
            run.awaitLog("monitoring");

            append(events, exec("10:00:00", "curl", 1), exec("10:00:01", "wget", 2));
            run.await("the curl alert", () -> alerts(run).contains("curl_run"));

            Files.writeString(rules, CURL_RULE + "\n" + WGET_RULE);
            run.hangup();
            run.awaitLog("rules reloaded");
            append(events, exec("10:00:10", "wget", 3));
            run.await("the wget alert of the reloaded rules", () -> alerts(run).contains("wget_run"));

            Files.writeString(rules, CURL_RULE.replace("proc.name = curl", "proc.nme = curl"));
            run.hangup();
            run.awaitLog("rules reload rejected");
            append(events, exec("10:00:20", "wget", 4), exec("10:00:21", "curl", 5));
            run.await("alerts of the rules that stayed", () -> alerts(run).split("\n").length >= 4);
            run.terminate();

            final List<String> lines = run.stdoutLines();
            assertThat(lines).extracting(line -> line.replaceAll(".*\"rule_id\":\"([a-z_]+)\".*", "$1"))
                    .containsExactly("curl_run", "wget_run", "wget_run", "curl_run");
            assertThat(lines.get(0)).contains("curl https://example.net/1");
            assertThat(lines.get(1)).contains("wget https://example.net/3");
        }
    }

    private static String alerts(final PeregrineProcess run) {
        try {
            return String.join("\n", run.stdoutLines());
        } catch (final IOException e) {
            return "";
        }
    }

    private static void append(final Path file, final String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardOpenOption.APPEND);
    }

    private static String exec(final String time, final String name, final int n) {
        return "{\"evt.time\":\"2026-11-23T" + time + "Z\",\"evt.type\":\"execve\",\"proc.pid\":" + (100 + n)
                + ",\"proc.name\":\"" + name + "\",\"proc.cmdline\":\"" + name + " https://example.net/" + n + "\"}";
    }
}
