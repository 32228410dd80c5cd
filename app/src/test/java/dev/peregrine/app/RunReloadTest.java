package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules reload while {@code peregrine run} keeps reading, by {@code kill -HUP}, by saving a rule
 * file and by {@code POST /v1/rules/reload}; a broken edit is refused with its errors and the
 * running rules go on alerting; every reload is itself an alert of the shipped audit rules.
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

    private static final String BROKEN = CURL_RULE.replace("proc.name = curl", "proc.nme = curl");

    private static final String OPERATOR_TOKEN = "operator-token-0123456789abcdef";
    private static final String AGENT_TOKEN = "agent-token-0123456789abcdef";

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
                "--no-rules-watch", "--state-dir", dir.resolve("state").toString(), "--http-port",
                Integer.toString(port), "--dead-letter", dir.resolve("dl").toString()))) {
            run.awaitLog("monitoring");

            append(events, exec("10:00:00", "curl", 1), exec("10:00:01", "wget", 2));
            run.await("the curl alert", () -> alerts(run).contains("curl_run"));

            Files.writeString(rules, CURL_RULE + "\n" + WGET_RULE);
            run.hangup();
            run.awaitLog("rules reloaded (sighup");
            append(events, exec("10:00:10", "wget", 3));
            run.await("the wget alert of the reloaded rules", () -> alerts(run).contains("wget_run"));

            Files.writeString(rules, BROKEN);
            run.hangup();
            run.awaitLog("rules reload rejected (sighup");
            append(events, exec("10:00:20", "wget", 4), exec("10:00:21", "curl", 5));
            run.await("alerts of the rules that stayed", () -> alerts(run).split("\n").length >= 4);
            assertThat(PeregrineProcess.metric(port, "peregrine_rules_reloads_total{result=\"success\",trigger=\"sighup\"}"))
                    .isEqualTo(1.0);
            assertThat(PeregrineProcess.metric(port, "peregrine_rules_reloads_total{result=\"invalid\",trigger=\"sighup\"}"))
                    .isEqualTo(1.0);
            run.terminate();

            final List<String> lines = run.stdoutLines();
            assertThat(lines).extracting(line -> line.replaceAll(".*\"rule_id\":\"([a-z_]+)\".*", "$1"))
                    .containsExactly("curl_run", "wget_run", "wget_run", "curl_run");
            assertThat(lines.get(0)).contains("curl https://example.net/1");
            assertThat(lines.get(1)).contains("wget https://example.net/3");
        }
    }

    @Test
    void alertsKeepFlowingThroughTenReloadsAndTheBrokenOneAmongThemChangesNothing() throws Exception {
        final Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, CURL_RULE);
        final Path events = dir.resolve("events.ndjson");
        Files.writeString(events, "");
        final int port = PeregrineProcess.freePort();
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("out.ndjson"), Map.of(), List.of("run",
                "--rules", rules.toString(), "--follow", events.toString(), "--no-builtin-detections",
                "--no-rules-watch", "--state-dir", dir.resolve("state").toString(), "--http-port",
                Integer.toString(port), "--dead-letter", dir.resolve("dl").toString()))) {
            run.awaitLog("monitoring");
            int curls = 0;
            int reloaded = 0;
            for (int reload = 1; reload <= 10; reload++) {
                // events keep arriving while each reload loads and compiles
                append(events, exec("10:%02d:00".formatted(reload), "curl", ++curls),
                        exec("10:%02d:01".formatted(reload), "curl", ++curls));
                final boolean broken = reload == 5;
                Files.writeString(rules, broken ? BROKEN : reload % 2 == 0 ? CURL_RULE + "\n" + WGET_RULE : CURL_RULE);
                run.hangup();
                if (broken) {
                    run.await("the broken reload refused", () -> PeregrineProcess.metric(port,
                            "peregrine_rules_reloads_total{result=\"invalid\",trigger=\"sighup\"}") == 1.0);
                } else {
                    final int expected = ++reloaded;
                    run.await("reload " + reload, () -> PeregrineProcess.metric(port,
                            "peregrine_rules_reloads_total{result=\"success\",trigger=\"sighup\"}") == expected);
                }
                append(events, exec("10:%02d:30".formatted(reload), "curl", ++curls));
            }
            final int expectedCurls = curls;
            run.await("every curl alert", () -> alerts(run).split("curl_run", -1).length - 1 == expectedCurls);
            run.terminate();

            final List<String> lines = run.stdoutLines();
            assertThat(lines).filteredOn(line -> line.contains("\"rule_id\":\"curl_run\"")).hasSize(curls)
                    .extracting(line -> line.replaceAll(".*example.net/([0-9]+).*", "$1")).doesNotHaveDuplicates();
        }
    }

    @Test
    void savingARuleFileReloadsItABrokenSaveKeepsTheRunningRulesAndBothAreAudited() throws Exception {
        final Path rulesDir = Files.createDirectory(dir.resolve("rules"));
        final Path rules = rulesDir.resolve("rules.yaml");
        Files.writeString(rules, CURL_RULE);
        shippedAuditRules(rulesDir);
        final Path events = dir.resolve("events.ndjson");
        Files.writeString(events, "");
        final int port = PeregrineProcess.freePort();
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("out.ndjson"), Map.of(), List.of("run",
                "--rules", rulesDir.toString(), "--follow", events.toString(), "--no-builtin-detections",
                "--state-dir", dir.resolve("state").toString(), "--http-port", Integer.toString(port),
                "--dead-letter", dir.resolve("dl").toString()))) {
            run.awaitLog("monitoring");
            append(events, exec("curl", 1));
            run.await("the curl alert", () -> alerts(run).contains("curl_run"));

            // saved as editors do: a new file renamed over the old one
            final Path saved = rulesDir.resolve(".rules.yaml.tmp");
            Files.writeString(saved, CURL_RULE + "\n" + WGET_RULE);
            Files.move(saved, rules, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            run.awaitLog("rules reloaded (file");
            append(events, exec("wget", 2));
            run.await("the wget alert of the saved rules", () -> alerts(run).contains("wget_run"));
            run.await("the reload's audit alert", () -> alerts(run).contains("\"rule_id\":\"rules_reloaded\""));

            Files.writeString(rules, BROKEN);
            run.awaitLog("rules reload rejected (file");
            run.await("the refused reload's audit alert",
                    () -> alerts(run).contains("\"rule_id\":\"rules_reload_invalid\""));
            append(events, exec("wget", 3));
            run.await("the running rules still alert", () -> alerts(run).contains("wget https://example.net/3"));
            assertThat(PeregrineProcess.metric(port, "peregrine_rules_reloads_total{result=\"invalid\",trigger=\"file\"}"))
                    .isEqualTo(1.0);
            run.terminate();

            final String all = alerts(run);
            assertThat(all).contains("\"priority\":\"Notice\"", "Peregrine rules reloaded (trigger=file");
            assertThat(run.stdoutLines()).filteredOn(line -> line.contains("rules_reload_invalid")).singleElement()
                    .satisfies(line -> assertThat(line).contains("\"priority\":\"Warning\"", rules + ":4:",
                            "proc.nme"));
        }
    }

    @Test
    void postReloadNeedsAnOperatorTokenAndAnswersWithTheNewGenerationOrTheProblems() throws Exception {
        final Path rulesDir = Files.createDirectory(dir.resolve("rules"));
        final Path rules = rulesDir.resolve("rules.yaml");
        Files.writeString(rules, CURL_RULE);
        shippedAuditRules(rulesDir);
        final int port = PeregrineProcess.freePort();
        final Path config = dir.resolve("peregrine.yaml");
        Files.writeString(config, """
                http:
                  port: %d
                ingest:
                  enabled: true
                  tokens:
                    - name: operator
                      token: %s
                    - name: ci-runner
                      token: %s
                      agent: ci-runner
                rules:
                  - %s
                rules_watch: false
                state_dir: %s
                inputs:
                  dead_letter: %s
                """.formatted(port, OPERATOR_TOKEN, AGENT_TOKEN, rulesDir, dir.resolve("state"), dir.resolve("dl")));
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("out.ndjson"), Map.of(), List.of("run",
                "--config", config.toString(), "--no-builtin-detections"))) {
            run.awaitLog("monitoring");
            final HttpClient http = HttpClient.newHttpClient();

            assertThat(reload(http, port, null).statusCode()).isEqualTo(401);
            assertThat(reload(http, port, "not-a-configured-token-at-all").statusCode()).isEqualTo(401);
            final HttpResponse<String> agent = reload(http, port, AGENT_TOKEN);
            assertThat(agent.statusCode()).isEqualTo(403);
            assertThat(agent.body()).contains("\"error\":\"forbidden\"");

            Files.writeString(rules, CURL_RULE + "\n" + WGET_RULE);
            final HttpResponse<String> reloaded = reload(http, port, OPERATOR_TOKEN);
            assertThat(reloaded.statusCode()).isEqualTo(200);
            assertThat(reloaded.body()).startsWith("{\"generation\":1,\"rules\":").contains("\"cep_items\":0");

            Files.writeString(rules, BROKEN);
            final HttpResponse<String> refused = reload(http, port, OPERATOR_TOKEN);
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(refused.body()).contains("\"generation\":1", "\"problems\":[\"" + rules + ":4:", "proc.nme");

            final HttpResponse<String> get = http.send(HttpRequest.newBuilder(reloadUri(port)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);

            run.await("the audit alerts", () -> alerts(run).contains("rules_reload_invalid"));
            assertThat(PeregrineProcess.metric(port, "peregrine_rules_reloads_total{result=\"success\",trigger=\"http\"}"))
                    .isEqualTo(1.0);
            assertThat(PeregrineProcess.metric(port,
                    "peregrine_rules_reloads_total{result=\"unauthorized\",trigger=\"http\"}")).isEqualTo(2.0);
            run.terminate();

            final List<String> lines = run.stdoutLines();
            assertThat(lines).filteredOn(line -> line.contains("\"rule_id\":\"platform_access_denied\""))
                    .hasSize(3).allSatisfy(line -> assertThat(line).contains("op=rules_reload"));
            assertThat(lines).filteredOn(line -> line.contains("\"rule_id\":\"rules_reloaded\"")).singleElement()
                    .satisfies(line -> assertThat(line).contains("trigger=http client=operator remote=127.0.0.1:",
                            "generation=1"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"rule_id\":\"rules_reload_invalid\""));
        }
    }

    /** The shipped agent rules (with rules_reloaded and rules_reload_invalid) beside the test's own. */
    private static void shippedAuditRules(final Path rulesDir) throws IOException {
        try (InputStream in = RunReloadTest.class.getClassLoader()
                .getResourceAsStream("peregrine/rules/agent_events.yaml")) {
            Files.copy(in, rulesDir.resolve("agent_events.yaml"));
        }
    }

    private static URI reloadUri(final int port) {
        return URI.create("http://127.0.0.1:" + port + RulesReloadHandler.PATH);
    }

    private static HttpResponse<String> reload(final HttpClient http, final int port, final String token)
            throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(reloadUri(port))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
        return execAt("2026-11-23T" + time + "Z", name, n);
    }

    /** An event of now: the audit events carry the wall clock, so the test's events keep up with them. */
    private static String exec(final String name, final int n) {
        return execAt(Instant.now().toString(), name, n);
    }

    private static String execAt(final String time, final String name, final int n) {
        return "{\"evt.time\":\"" + time + "\",\"evt.type\":\"execve\",\"proc.pid\":" + (100 + n)
                + ",\"proc.name\":\"" + name + "\",\"proc.cmdline\":\"" + name + " https://example.net/" + n + "\"}";
    }
}
