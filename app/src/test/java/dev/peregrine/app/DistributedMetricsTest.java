package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.app.config.TestCertificates;
import dev.peregrine.testbed.KafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed commands on a real KRaft broker, watched the way an operator watches them:
 * agents POST events to {@code peregrine collector --ingest}, the events arrive on
 * peregrine.events, and each command's /metrics counts exactly what went through it.
 */
class DistributedMetricsTest {

    private static final Path INCIDENT = Path.of("..", "examples", "incident-credential-theft");
    private static final String TOKEN = "distributed-metrics-test-token-0123456789";
    private static final String AGENT_TOKEN = "distributed-metrics-agent-token-0123456789";

    private static KafkaBroker kafka;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startBroker() throws IOException {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void eventsPostedToTheCollectorReachTheEventsTopicAndEveryCommandsMetricsCountThem() throws Exception {
        final String events = Stream.of("agent-events.ndjson", "os-events.ndjson")
                .map(name -> read(INCIDENT.resolve(name))).collect(Collectors.joining());
        final long sent = events.lines().filter(line -> !line.isBlank()).count();
        final Path config = dir.resolve("collector.yaml");
        Files.writeString(config, "ingest:\n  enabled: true\n  tokens:\n    - name: agents\n      token: " + TOKEN + "\n");
        final int collectorPort = PeregrineProcess.freePort();
        final int enginePort = PeregrineProcess.freePort();
        final int alerterPort = PeregrineProcess.freePort();
        final String bootstrap = kafka.bootstrapServers();

        // the commands run in this JVM, without PEREGRINE_METRICS_TOKEN: their /metrics are opened explicitly
        final BackgroundCommand<EngineCommand> engine = BackgroundCommand.start("engine", "--kafka", bootstrap,
                "--application-id", "peregrine-engine-metrics", "--partitions", "2", "--idle-after", "1s",
                "--state-dir", dir.resolve("streams-state").toString(), "--http-port", Integer.toString(enginePort),
                "--metrics-open");
        final BackgroundCommand<AlerterCommand> alerter = BackgroundCommand.start("alerter", "--kafka", bootstrap,
                "--stdout-format", "json", "--group-id", "peregrine-alerter-metrics",
                "--spool-dir", dir.resolve("alert-spool").toString(), "--http-port", Integer.toString(alerterPort),
                "--metrics-open");
        final BackgroundCommand<CollectorCommand> collector = BackgroundCommand.start("collector", "--kafka",
                bootstrap, "--config", config.toString(), "--http-port", Integer.toString(collectorPort),
                "--event-spool-dir", dir.resolve("event-spool").toString(),
                "--dead-letter", dir.resolve("dead-letter.ndjson").toString(), "--metrics-open");
        try {
            await("engine running").atMost(Duration.ofMinutes(1)).until(() -> status(enginePort, "/healthz") == 200);
            await("collector listening").atMost(Duration.ofMinutes(1))
                    .until(() -> status(collectorPort, "/healthz") == 200);
            assertThat(status(alerterPort, "/healthz")).isEqualTo(200);

            assertThat(post(collectorPort, events).statusCode()).isEqualTo(200);
            assertThat(post(collectorPort, "this line is not JSON\n").statusCode()).isEqualTo(400);

            await("events published and detected on, alerts delivered").atMost(Duration.ofMinutes(1)).until(() ->
                    sum(collectorPort, "peregrine_events_published_total") == sent
                            && sum(enginePort, "peregrine_engine_events_total") == sent
                            && sum(enginePort, "peregrine_engine_held_events") == 0
                            && sum(enginePort, "peregrine_engine_lag_records") == 0
                            && sum(alerterPort, "peregrine_alerter_records_total")
                            == sum(enginePort, "peregrine_engine_alerts_total"));

            assertThat(sum(collectorPort, "peregrine_events_total")).isEqualTo(sent);
            assertThat(sum(collectorPort, "peregrine_events_spooled_total")).isEqualTo(sent);
            assertThat(sum(collectorPort, "peregrine_event_spool_depth")).isZero();
            assertThat(sum(collectorPort, "peregrine_events_rejected_total")).isEqualTo(1);
            assertThat(sum(collectorPort, "peregrine_ingest_requests_total")).isEqualTo(2);
            assertThat(sum(collectorPort, "peregrine_kafka_connected")).isEqualTo(1);
            assertThat(sum(enginePort, "peregrine_engine_dead_letters_total")).isZero();
            assertThat(sum(enginePort, "peregrine_engine_running")).isEqualTo(1);
            final double alerts = sum(enginePort, "peregrine_engine_alerts_total");
            assertThat(alerts).as("the incident raises alerts").isPositive();
            assertThat(sum(alerterPort, "peregrine_alerts_total")).as("raised alerts, counted before dedup")
                    .isEqualTo(alerts);
            assertThat(sum(alerterPort, "peregrine_alert_latency_seconds_count")).as("alerts delivered to stdout")
                    .isPositive();
            assertThat(sum(alerterPort, "peregrine_alerter_dead_letters_total")).isZero();
            assertThat(sum(alerterPort, "peregrine_alerter_lag_records")).isZero();
            assertThat(eventRecords()).as("records on peregrine.events").isEqualTo(sent);
        } finally {
            collector.stop();
            alerter.stop();
            engine.stop();
            // closed before the temporary directory holding their state is deleted
            collector.exit().exceptionally(e -> -1).join();
            alerter.exit().exceptionally(e -> -1).join();
            engine.exit().exceptionally(e -> -1).join();
        }
        assertThat(collector.exitCode()).as(collector.stderr()).isEqualTo(ExitCode.INPUT_PROBLEMS);
        assertThat(collector.stderr()).contains("1 rejected, " + sent + " published, 0 still spooled");
        assertThat(alerter.exitCode()).as(alerter.stderr()).isZero();
        assertThat(engine.exitCode()).as(engine.stderr()).isZero();
        assertThat(alerter.stdout().lines()).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"session\":\"s-8f2c\""));
    }

    @Test
    void theCollectorRefusesIngestWithoutItsHttpEndpoint() {
        final CommandLineRun run = CommandLineRun.of("collector", "--kafka", kafka.bootstrapServers(), "--ingest",
                "--http-port", "0", "--event-spool-dir", dir.resolve("spool").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("--ingest needs the HTTP endpoint");
    }

    @Test
    void theCollectorTakesIngestOverTlsAndShowsMetricsToAnOperatorTokenOnly() throws Exception {
        final TestCertificates certificates = TestCertificates.generate(dir, "collector", "EC");
        final Path config = dir.resolve("collector-tls.yaml");
        Files.writeString(config, "ingest:\n  enabled: true\n  tokens:\n    - name: operator\n      token: " + TOKEN
                + "\n    - name: agent\n      token: " + AGENT_TOKEN + "\n      agent: a-1\n");
        final int port = PeregrineProcess.freePort();
        final HttpClient https = HttpClient.newBuilder().sslContext(certificates.trustingClient()).build();
        // a topic of its own: the other test counts every record on peregrine.events
        final BackgroundCommand<CollectorCommand> collector = BackgroundCommand.start("collector", "--kafka",
                kafka.bootstrapServers(), "--events-topic", "peregrine.events.tls-test", "--config", config.toString(),
                "--http-port", Integer.toString(port), "--tls-cert", certificates.certificate().toString(), "--tls-key", certificates.privateKey().toString(),
                "--event-spool-dir", dir.resolve("tls-spool").toString(),
                "--dead-letter", dir.resolve("tls-dead-letter.ndjson").toString());
        try {
            final URI base = URI.create("https://127.0.0.1:" + port);
            await("collector listening over TLS").atMost(Duration.ofMinutes(1)).until(() -> {
                try {
                    return https.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (final IOException e) {
                    return false;
                }
            });
            final HttpResponse<String> posted = https.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                    .header("Authorization", "Bearer " + AGENT_TOKEN).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"time\":\"2026-11-27T10:00:00Z\",\"agent\":\"a-1\",\"session\":\"s-tls\","
                                    + "\"type\":\"tool_call\",\"tool\":\"shell\",\"action\":\"exec\","
                                    + "\"outcome\":\"allowed\"}\n")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

            assertThat(metricsStatus(https, base, null)).as("no token").isEqualTo(401);
            assertThat(metricsStatus(https, base, AGENT_TOKEN)).as("an agent's token").isEqualTo(401);
            assertThat(metricsStatus(https, base, TOKEN)).as("an operator token").isEqualTo(200);
            assertThat(status(port, "/healthz")).as("plain HTTP on the TLS port").isNotEqualTo(200);
        } finally {
            collector.stop();
            collector.exit().exceptionally(e -> -1).join();
        }
    }

    private static int metricsStatus(final HttpClient client, final URI base, final String token) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/metrics"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> post(final int port, final String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(final int port, final String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The sum of every sample of {@code name} (all its label sets) on /metrics; -1 when there is none. */
    private double sum(final int port, final String name) throws Exception {
        final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        final List<Double> values = new ArrayList<>();
        body.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .forEach(line -> values.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
        return values.isEmpty() ? -1 : values.stream().mapToDouble(Double::doubleValue).sum();
    }

    private static long eventRecords() {
        final Map<String, Object> config = kafka.clientConfig();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor("peregrine.events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
