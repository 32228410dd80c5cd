package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peregrine run} as a user starts it: a separate JVM with a config file, real HTTP on
 * 127.0.0.1, stopped with SIGTERM. The ingest API's identity check ends in an
 * {@code ingest_spoof} alert on stdout.
 */
class RunIngestTest {

    private static final String TOKEN = "test-token-0123456789abcdef";

    @Test
    void aTokenBoundToOneAgentCannotSendEventsForAnotherAndTheAttemptAlerts(@TempDir final Path dir)
            throws Exception {
        final int port = PeregrineProcess.freePort();
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
                state_dir: %s
                """.formatted(port, dir.resolve("dead-letter.ndjson"), dir.resolve("state")));
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("alerts.out"),
                Map.of("PEREGRINE_TEST_TOKEN", TOKEN), List.of("run", "--config", config.toString()))) {
            exercise(run, port, dir);
        }
    }

    private static void exercise(final PeregrineProcess run, final int port, final Path dir) throws Exception {
        run.awaitLog("monitoring HTTP ingest");

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
        run.awaitLog("rejected (identity_not_allowed)");
        final String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + PeregrineProcess.METRICS_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("peregrine_events_total{source=\"http-ingest\"} 1.0",
                "peregrine_events_rejected_total{reason=\"identity_not_allowed\",source=\"http-ingest\"} 1.0",
                "# TYPE peregrine_alerts_total counter", "# TYPE peregrine_alert_latency_seconds histogram",
                "peregrine_ingest_requests_total{status=\"401\"} 1.0", "peregrine_ingest_identity_violations_total 1.0",
                "# TYPE peregrine_ingest_bytes_total counter", "peregrine_ingest_queue_depth ", "jvm_memory_used_bytes");

        run.terminate(); // SIGTERM: drains what was taken, then exits

        final List<String> alerts = run.stdoutLines();
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
}
