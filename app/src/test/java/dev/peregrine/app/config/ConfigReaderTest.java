package dev.peregrine.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {

    private static final Path EXAMPLE = Path.of("..", "docs", "peregrine.example.yaml");

    @TempDir
    Path dir;

    private final ConfigReader reader = new ConfigReader(Map.of("SLACK_WEBHOOK_PATH", "T1/B2/secret")::get);

    @Test
    void theDocumentedExampleIsAValidConfiguration() throws ConfigException {
        final PeregrineConfig config = reader.read(EXAMPLE);

        assertThat(config.http().host()).contains("127.0.0.1");
        assertThat(config.http().port()).contains(8766);
        assertThat(config.inputs().follow()).containsExactly(Path.of("/var/log/audit/audit.log"),
                Path.of("/var/log/agent-platform/events.ndjson"));
        assertThat(config.inputs().format()).contains("auto");
        assertThat(config.alerts().dedupWindow()).contains(Duration.ofSeconds(60));
        assertThat(config.alerts().webhooks()).containsExactly(new PeregrineConfig.Webhook(
                URI.create("https://hooks.slack.com/services/T1/B2/secret"), true));
        assertThat(config.alerts().syslog()).containsExactly(URI.create("udp://127.0.0.1:514"));
        assertThat(config.stateDir()).contains(Path.of("/var/lib/peregrine/state"));
        assertThat(config.inputs().procfs()).contains(false);
        assertThat(config.ingest().enabled()).contains(true);
        assertThat(config.ingest().tokens()).singleElement().satisfies(token -> {
            assertThat(token.name()).isEqualTo("ci-runner");
            assertThat(token.agent()).contains("ci-runner");
            assertThat(token.sandbox()).contains("sbx-*");
            assertThat(token.session()).isEmpty();
            assertThat(token.toString()).as("the secret never reaches a log").doesNotContain(token.secret());
        });
    }

    @Test
    void ingestTokensNeedANameAndALongSecretAndUniqueNames() throws IOException {
        final Path file = write("""
                ingest:
                  tokens:
                    - name: a
                      token: short
                    - token: 0123456789abcdef0123
                    - name: b
                      token: 0123456789abcdef0123
                    - name: b
                      token: fedcba98765432100123
                """);

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).containsExactly(
                file + ":4:14: ingest.tokens[0].token: is too short to be a secret: use at least 16 characters "
                        + "(peregrine prints a generated one when ingest starts without tokens)",
                file + ":5:7: ingest.tokens[1]: a token needs a name and a token (write token: ${ENV_VAR} to keep "
                        + "the secret out of the file)",
                file + ":8:7: ingest.tokens[3]: a second token named 'b'; names must be unique");
    }

    @Test
    void anEmptyFileMeansEveryDefault() throws IOException, ConfigException {
        final PeregrineConfig config = reader.read(write(""));

        assertThat(config.rules()).isEmpty();
        assertThat(config.http().port()).isEmpty();
        assertThat(config.alerts().webhooks()).isEmpty();
    }

    @Test
    void everyProblemIsReportedWithFileLineColumnAndKeyPath() throws IOException {
        final Path file = write("""
                http:
                  port: 99999
                inputs:
                  folow: [/tmp/x]
                  format: pcap
                alerts:
                  dedup_window: soon
                  webhooks:
                    - url: ftp://example.com/hook
                  syslog: [udp://nohost]
                """);

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).containsExactly(
                file + ":2:9: http.port: must be between 0 and 65535, not 99999",
                file + ":4:3: inputs.folow: unknown key (did you mean 'follow'?)",
                file + ":5:11: inputs.format: must be one of agent, auditd, auto, claude-code, falco, native, tetragon, not 'pcap'",
                file + ":7:17: alerts.dedup_window: 'soon' is not a duration; write e.g. 250ms, 90s, 5m, 1h or 0",
                file + ":9:12: alerts.webhooks[0].url: must be an http:// or https:// URL with a host, not "
                        + "'ftp://example.com/hook'",
                file + ":10:12: alerts.syslog[0]: must look like udp://HOST:PORT or tcp://HOST:PORT, not 'udp://nohost'");
    }

    @Test
    void anUnsetEnvironmentVariableIsAnErrorUnlessItHasADefault() throws IOException {
        final Path file = write("""
                http:
                  host: ${PEREGRINE_TEST_UNSET_HOST}
                state_dir: ${PEREGRINE_TEST_UNSET_DIR:-/srv/state}
                """);

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).containsExactly(file + ":2:9: http.host: environment variable "
                + "PEREGRINE_TEST_UNSET_HOST is not set (write ${PEREGRINE_TEST_UNSET_HOST:-default} for a default)");
    }

    @Test
    void brokenYamlNamesWhereTheParserStopped() throws IOException {
        final Path file = write("http:\n  port: [8766\n");

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith(file + ":3:1: not valid YAML"));
    }

    @Test
    void aKeyGivenTwiceAndAWrongShapeAreBothReported() throws IOException {
        final Path file = write("""
                rules: /etc/peregrine/rules
                alerts: [stdout]
                rules: /other
                """);

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).containsExactly(
                file + ":2:9: alerts: must be a mapping of dedup_window, elasticsearch, file, kafka, redaction, routes, "
                        + "spool_dir, stdout, syslog, webhooks",
                file + ":3:1: rules: given twice");
    }

    @Test
    void sinksRoutesRedactionAndArchiveAreReadWithTheirNames() throws IOException, ConfigException {
        final Path file = write("""
                alerts:
                  webhooks:
                    - url: https://hooks.example/a
                  elasticsearch:
                    url: http://127.0.0.1:9200
                    index: soc-alerts
                    api_key: ${ES_KEY:-abc}
                    kibana_url: http://127.0.0.1:5601
                  kafka:
                    bootstrap: 127.0.0.1:9092,127.0.0.1:9093
                  routes:
                    webhook-1:
                      min_priority: critical
                      tags: [mitre_credential_access]
                    elasticsearch:
                      exclude_rules: [sensor_silent]
                  redaction:
                    patterns:
                      - name: ticket
                        regex: TICKET-[0-9]+
                archive:
                  dir: /var/lib/peregrine/archive
                """);

        final PeregrineConfig config = reader.read(file);

        assertThat(config.alerts().elasticsearch()).hasValueSatisfying(es -> {
            assertThat(es.url()).isEqualTo(URI.create("http://127.0.0.1:9200"));
            assertThat(es.index()).contains("soc-alerts");
            assertThat(es.apiKey()).contains("abc");
            assertThat(es.kibanaUrl()).contains(URI.create("http://127.0.0.1:5601"));
            assertThat(es.toString()).as("the key never reaches a log").doesNotContain("abc");
        });
        assertThat(config.alerts().kafka()).hasValueSatisfying(kafka -> assertThat(kafka.bootstrap())
                .isEqualTo("127.0.0.1:9092,127.0.0.1:9093"));
        assertThat(config.alerts().routes()).containsOnlyKeys("webhook-1", "elasticsearch");
        assertThat(config.alerts().routes().get("webhook-1").minimumPriority())
                .isEqualTo(dev.peregrine.alerting.Priority.CRITICAL);
        assertThat(config.alerts().routes().get("webhook-1").anyOfTags()).containsExactly("mitre_credential_access");
        assertThat(config.alerts().routes().get("elasticsearch").denyRuleIds()).containsExactly("sensor_silent");
        assertThat(config.alerts().redaction()).hasValueSatisfying(redaction -> {
            assertThat(redaction.builtIns()).isTrue();
            assertThat(redaction.patterns()).singleElement().satisfies(pattern ->
                    assertThat(pattern.name()).isEqualTo("ticket"));
        });
        assertThat(config.archive()).hasValueSatisfying(archive ->
                assertThat(archive.directory()).isEqualTo(Path.of("/var/lib/peregrine/archive")));
    }

    @Test
    void aRouteToAnUnknownSinkABadPriorityAndABrokenRegexAreEachNamed() throws IOException {
        final Path file = write("""
                alerts:
                  syslog: [udp://127.0.0.1:514]
                  kafka:
                    bootstrap: kafka
                  routes:
                    syslog-2:
                      min_priority: critical
                    syslog-1:
                      min_priority: urgent
                  redaction:
                    builtin_patterns: false
                    patterns:
                      - name: broken
                        regex: "key=(["
                archive: {}
                """);

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(file));

        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems().get(0)).isEqualTo(file + ":4:16: alerts.kafka.bootstrap: must be HOST:PORT[,HOST:PORT…], "
                + "not 'kafka'");
        assertThat(e.problems().get(1)).isEqualTo(file + ":6:5: alerts.routes.syslog-2: unknown key (did you mean "
                + "'syslog-1'?)");
        assertThat(e.problems().get(2)).startsWith(file + ":9:21: alerts.routes.syslog-1.min_priority: must be a "
                + "priority");
        assertThat(e.problems().get(3)).startsWith(file + ":11:5: alerts.redaction: turns the built-in patterns off");
        assertThat(e.problems().get(4)).startsWith(file + ":14:16: alerts.redaction.patterns[0].regex: is not a "
                + "usable regex: redaction pattern 'broken'");
        assertThat(e.problems().get(5)).isEqualTo(file + ":15:10: archive: an archive needs a dir (the folder of its "
                + "hourly .ndjson.gz files)");
    }

    @Test
    void aMissingFileIsOneClearProblem() {
        final Path missing = dir.resolve("nope.yaml");

        final ConfigException e = catchThrowableOfType(ConfigException.class, () -> reader.read(missing));

        assertThat(e.problems()).isEqualTo(List.of(missing + ": no such file"));
    }

    @Test
    void httpTlsMetricsTokenAndOpenMetricsAreRead() throws Exception {
        final TestCertificates pair = TestCertificates.generate(dir, "server", "EC");
        final ConfigReader withToken = new ConfigReader(Map.of("METRICS_TOKEN", "0123456789abcdef0123")::get);
        final Path file = write("""
                http:
                  tls:
                    certificate: %s
                    private_key: %s
                  metrics_token: ${METRICS_TOKEN}
                  metrics_open: false
                """.formatted(pair.certificate(), pair.privateKey()));

        final PeregrineConfig config = withToken.read(file);

        assertThat(config.http().tls()).hasValueSatisfying(tls ->
                assertThat(tls.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost"));
        assertThat(config.http().metricsToken()).contains("0123456789abcdef0123");
        assertThat(config.http().metricsOpen()).contains(false);
        assertThat(config.http().toString()).as("the secret never reaches a log").doesNotContain("0123456789abcdef");
        final Path keystore = write("""
                http:
                  metrics_open: true
                  tls:
                    keystore: %s
                    keystore_password: %s
                """.formatted(pair.keystore(), pair.password()));
        assertThat(reader.read(keystore).http().tls()).isPresent();
        assertThat(reader.read(keystore).http().metricsOpen()).contains(true);
    }

    @Test
    void unusableTlsFilesAndShortMetricsTokensAreProblemsAtTheirKeys() throws Exception {
        final TestCertificates one = TestCertificates.generate(dir, "one", "EC");
        final TestCertificates other = TestCertificates.generate(dir, "other", "EC");
        final Path mismatched = write("""
                http:
                  tls:
                    certificate: %s
                    private_key: %s
                  metrics_token: short
                """.formatted(one.certificate(), other.privateKey()));

        assertThat(catchThrowableOfType(ConfigException.class, () -> reader.read(mismatched)).problems())
                .containsExactly(
                        mismatched + ":4:18: http.tls.private_key: " + other.privateKey() + " is not the private key "
                                + "of the certificate in " + one.certificate() + " (CN=localhost)",
                        mismatched + ":5:18: http.metrics_token: is too short to be a secret: use at least 16 "
                                + "characters (e.g. openssl rand -hex 24)");
        final Path missing = write("""
                http:
                  tls:
                    certificate: %s
                    private_key: %s
                """.formatted(dir.resolve("absent.pem"), one.privateKey()));
        assertThat(catchThrowableOfType(ConfigException.class, () -> reader.read(missing)).problems())
                .containsExactly(missing + ":3:18: http.tls.certificate: " + dir.resolve("absent.pem") + ": no such file");
        final Path half = write("""
                http:
                  tls:
                    certificate: %s
                """.formatted(one.certificate()));
        assertThat(catchThrowableOfType(ConfigException.class, () -> reader.read(half)).problems())
                .containsExactly(half + ":3:5: http.tls: needs certificate and private_key (PEM files), or keystore "
                        + "and keystore_password");
        final Path wrongPassword = write("""
                http:
                  tls:
                    keystore: %s
                    keystore_password: not-the-password
                """.formatted(one.keystore()));
        assertThat(catchThrowableOfType(ConfigException.class, () -> reader.read(wrongPassword)).problems())
                .singleElement().asString().startsWith(wrongPassword + ":4:24: http.tls.keystore_password: "
                        + one.keystore());
    }

    private Path write(final String text) throws IOException {
        final Path file = dir.resolve("peregrine.yaml");
        Files.writeString(file, text);
        return file;
    }
}
