package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/scripts/stack.sh} as a user runs it: {@code start} brings up a real Kafka broker,
 * a real Elasticsearch node and Peregrine on 127.0.0.1, {@code demo} posts the example incident
 * to the ingest API, and every alert Peregrine raised is then in Elasticsearch (and went to
 * Kafka); {@code stop} leaves no process behind. Peregrine runs from this test's classpath, so
 * the test needs no packaged jar. Takes a minute or two: Elasticsearch is slow to start.
 */
class StackScriptTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("docker/scripts/stack.sh");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> environment = new HashMap<>();
    private Path runDir;
    private int elasticsearchPort;
    private int peregrinePort;

    @BeforeEach
    void ports() throws IOException {
        // not @TempDir: Elasticsearch runs as another user when the tests run as root, and its
        // directory must be reachable by that user and deletable afterwards
        runDir = Files.createTempDirectory("peregrine-stack-test-");
        final Path peregrine = Files.createTempFile("peregrine-stack-test-", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(peregrine, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' " + Peregrine.class.getName() + " \"$@\"\n");
        elasticsearchPort = PeregrineProcess.freePort();
        peregrinePort = PeregrineProcess.freePort();
        environment.put("PEREGRINE_STACK_DIR", runDir.toString());
        environment.put("PEREGRINE_BIN", peregrine.toString());
        environment.put("KAFKA_PORT", Integer.toString(PeregrineProcess.freePort()));
        environment.put("KAFKA_CONTROLLER_PORT", Integer.toString(PeregrineProcess.freePort()));
        environment.put("ES_PORT", Integer.toString(elasticsearchPort));
        environment.put("PEREGRINE_HTTP_PORT", Integer.toString(peregrinePort));
        // the stack's Peregrine inherits it: PeregrineProcess.metric scrapes /metrics with this token
        environment.put("PEREGRINE_METRICS_TOKEN", PeregrineProcess.METRICS_TOKEN);
    }

    @AfterEach
    void stopWhateverRuns() throws Exception {
        try {
            if (Files.exists(runDir.resolve("stack.env"))) {
                stack("stop");
            }
            // whatever stop could not end (it failed, or was never reached) ends here, by pid
            for (final long pid : pids()) {
                ProcessHandle.of(pid).ifPresent(process -> {
                    process.destroyForcibly();
                    process.onExit().join();
                });
            }
        } finally {
            deleteTree(runDir);
            Files.deleteIfExists(Path.of(environment.get("PEREGRINE_BIN")));
        }
    }

    @Test
    void startRunsTheStackTheDemoIncidentsAlertsReachElasticsearchAndKafkaAndStopEndsEveryProcess() throws Exception {
        final Run start = stack("start");
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("peregrine      running  http://127.0.0.1:" + peregrinePort);
        final List<Long> started = pids();
        assertThat(started).as("launcher and broker of Kafka, Elasticsearch, Peregrine").hasSize(4);
        assertThat(runDir.resolve("ingest-token")).content().hasSizeGreaterThanOrEqualTo(32);

        final Run demo = stack("demo");

        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("\"accepted\":84", "alerts in Elasticsearch index peregrine-alerts",
                "\"rule\"", "\"priority\" : \"Critical\"");
        // every alert Peregrine raised (by id; a dedup summary re-sends its alert under the same id) is in Elasticsearch
        final Path alertsFile = runDir.resolve("peregrine/alerts.ndjson");
        Awaitility.await("every alert indexed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(elasticsearchCount("")).isPositive()
                        .isEqualTo(alertIds(alertsFile).size()));
        assertThat(elasticsearchCount("?q=peregrine.rule_id:read_ssh_private_key")).isEqualTo(1);
        Awaitility.await("alerts published to Kafka").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> PeregrineProcess.metric(peregrinePort,
                        "peregrine_sink_deliveries_total{outcome=\"delivered\",sink=\"kafka\"}") >= alertIds(alertsFile).size());

        final Run status = stack("status");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains("kafka          running", "elasticsearch  running", "peregrine      running");

        final Run stop = stack("stop");

        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(started).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("pid %d after stop", pid).isEmpty());
        final Run stopped = stack("status");
        assertThat(stopped.exitCode()).as("status of a stopped stack").isEqualTo(3);
    }

    /** The pids the script recorded in its run directory. */
    private List<Long> pids() throws IOException {
        final List<Long> pids = new ArrayList<>();
        for (final String file : List.of("kafka/launcher.pid", "kafka/broker.pid", "elasticsearch/elasticsearch.pid",
                "peregrine/peregrine.pid")) {
            final Path pidFile = runDir.resolve(file);
            if (Files.exists(pidFile) && Files.readString(pidFile).trim().matches("\\d+")) {
                pids.add(Long.parseLong(Files.readString(pidFile).trim()));
            }
        }
        return pids;
    }

    private long elasticsearchCount(final String query) throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + elasticsearchPort + "/peregrine-alerts/_count" + query)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        final Matcher count = Pattern.compile("\"count\":(\\d+)").matcher(response.body());
        return response.statusCode() == 200 && count.find() ? Long.parseLong(count.group(1)) : -1;
    }

    private static Set<String> alertIds(final Path alertsFile) throws IOException {
        final Pattern id = Pattern.compile("\"id\":\"([^\"]+)\"");
        try (Stream<String> lines = Files.lines(alertsFile)) {
            return lines.map(id::matcher).filter(Matcher::find).map(matcher -> matcher.group(1))
                    .collect(Collectors.toSet());
        }
    }

    /** What one {@code stack.sh COMMAND} printed (stdout and stderr together) and its exit code. */
    private record Run(int exitCode, String output) {
    }

    private Run stack(final String command) throws IOException, InterruptedException {
        final Path output = Files.createTempFile("stack-" + command + "-", ".log");
        try {
            // into a file, not a pipe: a background process holding a pipe open would hang the read
            final ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command)
                    .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            final Process process = builder.start();
            if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("stack.sh " + command + " did not finish within " + START_TIMEOUT + ":\n"
                        + Files.readString(output));
            }
            return new Run(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static void deleteTree(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
