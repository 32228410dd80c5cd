package dev.peregrine.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyst console end to end: a real {@code peregrine run --ingest} in its own JVM is sent a
 * two-agent trace, then Debian's Chromium (headless, driven by playwright-core from the npm
 * registry) logs in, filters to one agent, opens an alert, sees its evidence and timeline and
 * the rule it came from (file, line, YAML),
 * acknowledges it and suppresses it; a repeat of its events is then dropped and counted, not
 * delivered, while the other agent's repeat is. Screenshots of the main views go to
 * {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {

    private static final String TOKEN = "console-browser-token-0123456789";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SPEC_DIR = Path.of("src/test/console");
    private static final Path NODE_DIR = Path.of("target/console-node");
    private static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    private static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");
    private static final String METADATA_RULE = "agent_http_metadata_request";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anAnalystFiltersOpensAcknowledgesAndSuppressesAnAlertAndItsRepeatIsDroppedAndCounted(
            @TempDir final Path dir) throws Exception {
        requireBrowserTools();
        installPlaywright();
        final int port = freePort();
        final Path config = dir.resolve("peregrine.yaml");
        Files.writeString(config, """
                http:
                  port: %d
                ingest:
                  enabled: true
                  tokens:
                    - name: analyst
                      token: %s
                state_dir: %s
                inputs:
                  dead_letter: %s
                """.formatted(port, TOKEN, dir.resolve("state"), dir.resolve("dead-letter.ndjson")));
        final Path stdout = dir.resolve("alerts.out");
        final List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.peregrine.app.Peregrine",
                "run", "--config", config.toString());
        final Process run = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve("peregrine.log").toFile()).start();
        try {
            final String base = "http://127.0.0.1:" + port;
            Awaitility.await("the console is served").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alive(run, dir) && status(base + "/") == 200);

            final HttpResponse<String> posted = post(base + "/v1/events", recentTrace());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            Awaitility.await("the trace's alerts reach the console").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> alive(run, dir) && get(base + "/v1/alerts").contains(METADATA_RULE)
                            && get(base + "/v1/alerts").contains("\"agent\":\"deployer\""));

            final Process browser = new ProcessBuilder("node", NODE_DIR.resolve("console.spec.mjs").toString(),
                    base + "/", TOKEN, SCREENSHOTS.toAbsolutePath().toString(),
                    Path.of("src/test/resources/console/two-agents-repeat.ndjson").toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            final String output = readAll(browser);
            assertThat(browser.waitFor(3, TimeUnit.MINUTES)).as("the browser script finished").isTrue();
            assertThat(browser.exitValue()).as("browser script output:%n%s", output).isZero();
            assertThat(output).contains("\"ok\":true", "\"offsite\":[]", "opened the alert's rule", "acknowledged it",
                    "the suppressions view counts the suppressed repeat");

            // the API and the metrics agree with what the browser saw
            Awaitility.await("the deployer's repeat is delivered").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> deliveredLines(stdout, "agent_tool_call_denied", "deployer") == 2);
            final String suppressions = get(base + "/v1/suppressions");
            assertThat(suppressions).contains("\"rule_id\":\"" + METADATA_RULE + "\"", "\"match\":{\"agent\":\"ci-runner\"}",
                    "\"created_by\":\"analyst\"", "\"suppressed\":1", "\"suppressed_by_rule\":{\"" + METADATA_RULE + "\":1}");
            assertThat(get(base + "/v1/alerts?rule=" + METADATA_RULE)).contains("\"matched\":1", "\"ack\":{\"by\":\"analyst\"");
            // the suppression itself is never silent: the shipped console_suppression_changed rule alerts on it
            Awaitility.await("the suppression's audit alert").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> deliveredLines(stdout, "console_suppression_changed", "ci-runner") == 1);
            assertThat(get(base + "/metrics")).contains(
                    "peregrine_alerts_suppressed_by_analyst_total{rule=\"" + METADATA_RULE + "\"} 1.0");
        } finally {
            run.destroy();
            if (!run.waitFor(30, TimeUnit.SECONDS)) {
                run.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        // the suppressed repeat never reached stdout; the first one did, once
        assertThat(deliveredLines(stdout, METADATA_RULE, "ci-runner")).isEqualTo(1);
        assertThat(SCREENSHOTS.resolve("04-alert-detail.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("06-suppressions.png")).isNotEmptyFile();
        assertThat(SCREENSHOTS.resolve("04-rule-source.png")).isNotEmptyFile();
    }

    /** Fails, saying how to install them, when Chromium or Node is missing: this test is never skipped. */
    private static void requireBrowserTools() throws InterruptedException {
        assertThat(Files.isExecutable(CHROMIUM))
                .as("the console browser test needs Debian's Chromium at %s: apt-get install -y chromium", CHROMIUM)
                .isTrue();
        assertThat(succeeds("node", "--version"))
                .as("the console browser test needs Node.js 20 or newer and npm: apt-get install -y nodejs npm").isTrue();
    }

    /**
     * The spec and its locked playwright-core, installed into target/ with npm ci (no browser
     * download) the first time and whenever the lock file changed.
     */
    private static void installPlaywright() throws IOException, InterruptedException {
        Files.createDirectories(NODE_DIR);
        final Path lock = NODE_DIR.resolve("package-lock.json");
        final boolean installed = Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core"))
                && Files.exists(lock) && Files.mismatch(lock, SPEC_DIR.resolve("package-lock.json")) == -1;
        for (final String file : List.of("package.json", "package-lock.json", "console.spec.mjs")) {
            Files.copy(SPEC_DIR.resolve(file), NODE_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (installed) {
            return;
        }
        final Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_DIR.toFile())
                .redirectErrorStream(true).start();
        final String output = readAll(npm);
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).as("npm ci finished").isTrue();
        assertThat(npm.exitValue()).as("npm ci in %s (needs the npm registry):%n%s", NODE_DIR, output).isZero();
    }

    /** The trace with its times moved to the last few minutes, so it is live traffic to the running monitor. */
    private static String recentTrace() throws IOException {
        final List<String> lines = Files.readAllLines(Path.of("src/test/resources/console/two-agents.ndjson"));
        final Instant recorded = Instant.parse("2026-11-27T10:00:00Z");
        final Duration shift = Duration.between(recorded, Instant.now().minus(Duration.ofMinutes(5)));
        final StringBuilder trace = new StringBuilder();
        for (final String line : lines) {
            final Matcher time = TIME.matcher(line);
            if (!time.find()) {
                throw new AssertionError("a trace line without a time: " + line);
            }
            trace.append(line, 0, time.start(1)).append(Instant.parse(time.group(1)).plus(shift))
                    .append(line.substring(time.end(1))).append('\n');
        }
        return trace.toString();
    }

    private static long deliveredLines(final Path stdout, final String ruleId, final String agent) throws IOException {
        return Files.readAllLines(stdout).stream()
                .filter(line -> line.contains("\"rule_id\":\"" + ruleId + "\"") && line.contains("\"agent\":\"" + agent + "\""))
                .count();
    }

    private static boolean alive(final Process run, final Path dir) throws IOException {
        if (!run.isAlive()) {
            throw new AssertionError("peregrine exited with " + run.exitValue() + ":\n"
                    + Files.readString(dir.resolve("peregrine.log")));
        }
        return true;
    }

    private int status(final String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String get(final String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> post(final String url, final String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String readAll(final Process process) throws IOException {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            reader.lines().forEach(lines::add);
        }
        return String.join("\n", lines);
    }

    private static boolean succeeds(final String... command) throws InterruptedException {
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            readAll(process);
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (final IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
