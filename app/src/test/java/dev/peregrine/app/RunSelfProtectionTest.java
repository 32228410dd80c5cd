package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.app.config.TestCertificates;
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
 * {@code peregrine run} protecting itself, as a real process: ingest over HTTPS with the
 * configured certificate, {@code /metrics} refused without a token (and the refusal alerted on),
 * and an edit of the configuration file while it runs alerted on by {@code config_changed}.
 */
class RunSelfProtectionTest {

    private static final String OPERATOR = "operator-token-0123456789";
    private static final String AGENT = "agent-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void ingestOverTlsRefusedScrapesAndAConfigEditAreAllAlertedOn() throws Exception {
        final TestCertificates certificates = TestCertificates.generate(dir, "run", "EC");
        final int port = PeregrineProcess.freePort();
        final Path config = dir.resolve("peregrine.yaml");
        final String yaml = """
                http:
                  port: %d
                  tls:
                    certificate: %s
                    private_key: %s
                ingest:
                  enabled: true
                  tokens:
                    - name: ops
                      token: ${OPS_TOKEN}
                    - name: ci-runner
                      token: %s
                      agent: ci-runner
                state_dir: %s
                inputs:
                  dead_letter: %s
                """.formatted(port, certificates.certificate(), certificates.privateKey(), AGENT, dir.resolve("state"),
                dir.resolve("dead-letter.ndjson"));
        Files.writeString(config, yaml);
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("alerts.out"), Map.of("OPS_TOKEN", OPERATOR),
                List.of("run", "--config", config.toString()))) {
            run.awaitLog("monitoring HTTP ingest");
            final HttpClient https = HttpClient.newBuilder().sslContext(certificates.trustingClient()).build();
            final String base = "https://127.0.0.1:" + port;

            final HttpResponse<String> posted = https.send(HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                    .header("Authorization", "Bearer " + AGENT).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"time\":\"2026-11-27T10:00:00Z\",\"agent\":\"ci-runner\","
                            + "\"session\":\"s-1\",\"type\":\"tool_call\",\"tool\":\"shell\",\"outcome\":\"denied\"}\n"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            assertThat(scrape(https, base, null).statusCode()).isEqualTo(401);
            assertThat(scrape(https, base, AGENT).statusCode()).as("an agent's token").isEqualTo(401);
            final HttpResponse<String> metrics = scrape(https, base, OPERATOR);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("peregrine_metrics_requests_total{status=\"401\"} 2.0");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString())).as("plain HTTP").isInstanceOf(IOException.class);

            Files.writeString(config, yaml.replace("enabled: true", "enabled: false"));

            run.await("the config_changed alert", () -> lines(run, "\"rule_id\":\"config_changed\"") == 1);
            run.await("the refused scrapes' alert", () -> lines(run, "\"rule_id\":\"platform_access_denied\"") >= 1);
            run.awaitLog("it is not applied: a restart applies it");
            run.terminate();

            final List<String> alerts = run.stdoutLines();
            assertThat(alerts).anySatisfy(alert -> assertThat(alert).contains("\"rule_id\":\"agent_tool_call_denied\""));
            assertThat(alerts).anySatisfy(alert -> assertThat(alert).contains("\"rule_id\":\"config_changed\"",
                    "\"priority\":\"Warning\"", "keys=ingest", "path=" + config.toAbsolutePath()));
            assertThat(alerts).anySatisfy(alert -> assertThat(alert).contains("\"rule_id\":\"platform_access_denied\"",
                    "op=metrics", "outcome=unauthorized"));
            assertThat(String.join("\n", alerts)).doesNotContain(OPERATOR, AGENT);
        }
    }

    @Test
    void unusableTlsFilesStopRunAtStartWithAUsageErrorNamingTheOptionOrKey() throws Exception {
        final TestCertificates one = TestCertificates.generate(dir, "one", "EC");
        final TestCertificates other = TestCertificates.generate(dir, "other", "EC");

        final CommandLineRun missing = CommandLineRun.of("run", "--tls-cert", dir.resolve("absent.pem").toString(),
                "--tls-key", one.privateKey().toString());
        final CommandLineRun alone = CommandLineRun.of("run", "--tls-key", one.privateKey().toString());
        final Path config = Files.writeString(dir.resolve("peregrine.yaml"), """
                http:
                  tls:
                    certificate: %s
                    private_key: %s
                """.formatted(one.certificate(), other.privateKey()));
        final CommandLineRun mismatched = CommandLineRun.of("run", "--config", config.toString());

        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.stderr()).contains("--tls-cert: " + dir.resolve("absent.pem") + ": no such file");
        assertThat(alone.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(alone.stderr()).contains("--tls-cert and --tls-key go together");
        assertThat(mismatched.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(mismatched.stderr()).contains(config + ":4:18: http.tls.private_key: " + other.privateKey()
                + " is not the private key of the certificate in " + one.certificate());
    }

    private static HttpResponse<String> scrape(final HttpClient client, final String base, final String token)
            throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long lines(final PeregrineProcess run, final String text) {
        try {
            return run.stdoutLines().stream().filter(line -> line.contains(text)).count();
        } catch (final IOException e) {
            return 0;
        }
    }
}
