package dev.peregrine.app;

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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peregrine run} as a user starts it: a separate JVM with a config file, real HTTP on
 * 127.0.0.1, stopped with SIGTERM. The ingest API's identity check ends in an
 * {@code ingest_spoof} alert on stdout.
 */
class RunIngestTest {

    private static final String TOKEN = "test-token-0123456789abcdef";

    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTokenBoundToOneAgentCannotSendEventsForAnotherAndTheAttemptAlerts(@TempDir final Path dir)
            throws Exception {
        final int port = freePort();
        final Path config = dir.resolve("peregrine.yaml");
        Files.writeString(config, """
                http:
                  port: %d
                ingest:
                  enabled: true
                  tokens:
                    - name: ci-runner-token
                      token: ${PEREGRINE_TEST_TOKEN}
                      agent: ci-runner
                inputs:
                  dead_letter: %s
                """.formatted(port, dir.resolve("dead-letter.ndjson")));
        final Path stdout = dir.resolve("alerts.out");
        final ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Peregrine.class.getName(), "run", "--config", config.toString())
                .redirectOutput(stdout.toFile());
        builder.environment().put("PEREGRINE_TEST_TOKEN", TOKEN);
        process = builder.start();
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final Thread logReader = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                reader.lines().forEach(log::add);
            } catch (final IOException e) {
                log.add("log reader: " + e);
            }
        });
        logReader.start();
        awaitLine(log, "monitoring HTTP ingest");

        final HttpClient http = HttpClient.newHttpClient();
        final String own = "{\"time\":\"2026-11-27T10:00:00Z\",\"agent\":\"ci-runner\",\"session\":\"s-1\","
                + "\"type\":\"tool_call\",\"tool\":\"shell\",\"outcome\":\"denied\"}";
        final String someoneElses = "{\"time\":\"2026-11-27T10:00:01Z\",\"agent\":\"prod-deployer\",\"session\":\"s-9\","
                + "\"type\":\"tool_call\",\"tool\":\"aws\",\"outcome\":\"allowed\"}";

        assertThat(post(http, port, null, own).statusCode()).isEqualTo(401);
        assertThat(post(http, port, TOKEN, own).statusCode()).isEqualTo(200);
        final HttpResponse<String> spoofed = post(http, port, TOKEN, someoneElses);
        assertThat(spoofed.statusCode()).isEqualTo(403);
        assertThat(spoofed.body()).contains("identity_not_allowed", "prod-deployer");
        final HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        awaitLine(log, "rejected (identity_not_allowed)");
        final String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("peregrine_events_total{source=\"http-ingest\"} 1.0",
                "peregrine_events_rejected_total{reason=\"identity_not_allowed\",source=\"http-ingest\"} 1.0",
                "# TYPE peregrine_alerts_total counter", "# TYPE peregrine_alert_latency_seconds histogram",
                "peregrine_ingest_requests_total{status=\"401\"} 1.0", "peregrine_ingest_identity_violations_total 1.0",
                "# TYPE peregrine_ingest_bytes_total counter", "peregrine_ingest_queue_depth ", "jvm_memory_used_bytes");

        process.destroy(); // SIGTERM: drains what was taken, then exits
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
        logReader.join(10_000);

        final List<String> alerts = Files.readAllLines(stdout);
        assertThat(alerts).anySatisfy(alert -> assertThat(alert).contains("\"rule_id\":\"agent_tool_call_denied\"",
                "\"agent\":\"ci-runner\""));
        assertThat(alerts).anySatisfy(alert -> assertThat(alert).contains("\"rule_id\":\"ingest_spoof\"",
                "\"priority\":\"Critical\"", "\"agent\":\"prod-deployer\"", "client=ci-runner-token",
                "claimed=prod-deployer", "allowed=ci-runner"));
        assertThat(alerts).noneSatisfy(alert -> assertThat(alert).contains("\"tool.name\":\"aws\""));
        assertThat(dir.resolve("dead-letter.ndjson")).content().contains("identity_not_allowed", "prod-deployer");
    }

    private static HttpResponse<String> post(final HttpClient http, final int port, final String token,
                                             final String body) throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitLine(final BlockingQueue<String> log, final String text) throws InterruptedException {
        final StringBuilder seen = new StringBuilder();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (process.isAlive() || !log.isEmpty())) {
            final String line = log.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.contains(text)) {
                    return;
                }
            }
        }
        throw new AssertionError("no log line containing '" + text + "'" + (process.isAlive() ? "" : " (the process "
                + "exited with " + process.exitValue() + ")") + "; the log was:\n" + seen);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
