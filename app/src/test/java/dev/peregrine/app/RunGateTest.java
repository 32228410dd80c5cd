package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code peregrine run} with ingest on, as a user starts it (a separate JVM, real HTTP on
 * 127.0.0.1): the Claude Code gate answers under the ingest token, and OTLP GenAI log events are
 * taken on {@code /v1/logs}.
 */
class RunGateTest {

    private static final String TOKEN = "gate-run-token-0123456789abcdef";

    @Test
    void theGateDeniesACriticalToolCallAndGenAiLogsAreTaken(@TempDir final Path dir) throws Exception {
        final int port = PeregrineProcess.freePort();
        final Path config = dir.resolve("peregrine.yaml");
        Files.writeString(config, """
                http:
                  port: %d
                ingest:
                  enabled: true
                  tokens:
                    - name: laptop
                      token: ${PEREGRINE_TEST_TOKEN}
                inputs:
                  dead_letter: %s
                state_dir: %s
                """.formatted(port, dir.resolve("dead-letter.ndjson"), dir.resolve("state")));
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("alerts.out"),
                Map.of("PEREGRINE_TEST_TOKEN", TOKEN), List.of("run", "--config", config.toString()))) {
            run.awaitLog("monitoring HTTP ingest");
            final HttpClient http = HttpClient.newHttpClient();

            final HttpResponse<String> denied = post(http, port, ClaudeCodeGate.PATH, """
                    {"session_id":"s-1","hook_event_name":"PreToolUse","tool_name":"Bash",
                     "tool_input":{"command":"rm -rf /"},"tool_use_id":"toolu_1"}""");
            final HttpResponse<String> allowed = post(http, port, ClaudeCodeGate.PATH, """
                    {"session_id":"s-1","hook_event_name":"PreToolUse","tool_name":"Bash",
                     "tool_input":{"command":"ls"},"tool_use_id":"toolu_2"}""");
            final HttpResponse<String> logs = post(http, port, "/v1/logs",
                    Files.readString(Path.of("..", "examples", "integrations", "otel", "logs.json")));

            assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
            assertThat(denied.body()).contains("\"decision\":\"deny\"", "destructive_rm_system_path");
            assertThat(allowed.body()).contains("\"decision\":\"allow\"");
            assertThat(logs.statusCode()).as(logs.body()).isEqualTo(200);
            assertThat(logs.body()).contains("\"accepted\":3");
        }
    }

    private static HttpResponse<String> post(final HttpClient http, final int port, final String path,
                                             final String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
