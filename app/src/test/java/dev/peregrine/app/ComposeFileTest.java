package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.ParseResult;

/**
 * No Docker engine runs where the tests run, so {@code docker/compose.yaml} is checked by reading
 * it against what it refers to: pinned images, files that exist, the Dockerfile's user and
 * volume, a command line the real CLI accepts, and a Grafana dashboard whose every query names
 * a metric that a running Peregrine really serves.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final String TOKEN = "compose-test-token-0123456789";

    /** PromQL words that are neither metrics nor functions (functions are followed by a parenthesis). */
    private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");
    private static final Pattern STRING_LITERALS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPINGS = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIERS = Pattern.compile(
            "(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*(?![A-Za-z0-9_:])(?!\\s*\\()");

    @Test
    void everyImageIsPinnedToAVersionOrADigest() throws IOException {
        final Map<String, Map<String, Object>> services = services();

        assertThat(services).isNotEmpty().allSatisfy((name, service) -> {
            final String image = (String) service.get("image");
            assertThat(image).as("services.%s.image", name).isNotBlank();
            final String tag = image.substring(image.lastIndexOf('/') + 1);
            assertThat(image.contains("@sha256:") || tag.matches("[^:]+:[A-Za-z0-9_.-]*\\d[A-Za-z0-9_.-]*"))
                    .as("services.%s.image %s names a version tag or a digest", name, image).isTrue();
            assertThat(tag).as("services.%s.image", name).doesNotEndWith(":latest");
        });
        // the image compose builds carries the project's version
        for (final String peregrine : List.of("peregrine", "collector", "engine", "alerter")) {
            assertThat(services.get(peregrine).get("image")).as(peregrine).isEqualTo("peregrine:" + projectVersion());
        }
    }

    @Test
    void theStackRunsTheKafkaAndElasticsearchVersionsTheTestsRunAndKibanaMatchesElasticsearch() throws IOException {
        final Map<String, Map<String, Object>> services = services();
        assertThat(services).containsKeys("kafka", "elasticsearch", "kibana", "peregrine", "collector", "engine",
                "alerter", "prometheus", "grafana");
        final String elasticsearch = version((String) services.get("elasticsearch").get("image"));

        assertThat(version((String) services.get("kibana").get("image"))).isEqualTo(elasticsearch);
        assertThat(elasticsearch).as("the node of the testbed").isEqualTo(firstGroup(ROOT.resolve("testbed/pom.xml"),
                "<artifactId>elasticsearch</artifactId>\\s*<version>([^<]+)</version>"));
        assertThat(version((String) services.get("kafka").get("image"))).as("the broker and clients of the build")
                .isEqualTo(firstGroup(ROOT.resolve("pom.xml"), "<kafka.version>([^<]+)</kafka.version>"));
    }

    @Test
    void everyFileTheServicesMountOrBuildFromExistsAndEveryNamedVolumeIsDeclared() throws IOException {
        final Map<String, Object> compose = compose();
        final Set<String> declaredVolumes = mapAt(compose, "volumes").keySet();
        final Map<String, Map<String, Object>> services = services();

        services.forEach((name, service) -> {
            for (final String volume : strings(service.get("volumes"))) {
                final String source = volume.split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(DOCKER.resolve(source)).as("services.%s.volumes %s", name, volume).exists();
                } else {
                    assertThat(declaredVolumes).as("services.%s.volumes %s: a declared named volume", name, volume)
                            .contains(source);
                }
            }
            if (service.get("build") instanceof Map<?, ?> build) {
                final Path context = DOCKER.resolve((String) build.get("context"));
                assertThat(context.resolve((String) build.get("dockerfile"))).as("services.%s.build", name).isRegularFile();
            }
            for (final String dependency : dependencies(service)) {
                assertThat(services).as("services.%s.depends_on", name).containsKey(dependency);
            }
        });
    }

    @Test
    void everyServiceHasAHealthcheckAndPublishesItsPortsOnLoopbackOnly() throws IOException {
        services().forEach((name, service) -> {
            assertThat(service).as("services.%s", name).containsKey("healthcheck");
            assertThat(strings(service.get("ports"))).as("services.%s.ports", name)
                    .allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
        });
    }

    @Test
    void peregrineRunsAsTheImagesUserOnAReadOnlyRootFilesystemWithItsStateOnAVolume() throws IOException {
        final Map<String, Object> peregrine = services().get("peregrine");
        final String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));

        assertThat(dockerfile).contains("USER " + peregrine.get("user"));
        assertThat(peregrine.get("read_only")).isEqualTo(true);
        final Matcher workdir = Pattern.compile("(?m)^WORKDIR (/var/lib/peregrine)$").matcher(dockerfile);
        assertThat(workdir.find()).as("the runtime stage's working directory").isTrue();
        assertThat(strings(peregrine.get("volumes"))).anySatisfy(volume -> assertThat(volume)
                .endsWith(":" + workdir.group(1)).doesNotStartWith("."));
        assertThat(strings(peregrine.get("ports"))).containsExactly(
                "127.0.0.1:" + RunCommand.DEFAULT_HTTP_PORT + ":" + RunCommand.DEFAULT_HTTP_PORT);
    }

    @Test
    void thePeregrineServicesCommandParsesWithTheRealCommandLineAndNamesTheStacksServices() throws IOException {
        final Map<String, Object> peregrine = services().get("peregrine");
        final List<String> command = strings(peregrine.get("command"));

        final ParseResult parsed = Peregrine.commandLine().parseArgs(command.toArray(String[]::new));

        assertThat(parsed.hasSubcommand()).isTrue();
        final ParseResult run = parsed.subcommand();
        assertThat(run.commandSpec().name()).isEqualTo("run");
        assertThat(run.hasMatchedOption("--ingest")).isTrue();
        assertThat(run.hasMatchedOption("--http-port")).as("the default port, which the image exposes").isFalse();
        assertThat(run.<String>matchedOptionValue("--http-host", null)).isEqualTo("0.0.0.0");
        final String kafka = run.matchedOptionValue("--kafka-alerts", "");
        assertThat(kafka).isEqualTo("kafka:9092");
        final URI elasticsearch = run.matchedOptionValue("--elasticsearch", null);
        assertThat(elasticsearch.getHost()).isEqualTo("elasticsearch");
        assertThat(services()).containsKeys(kafka.split(":")[0], elasticsearch.getHost());
        final Path config = run.matchedOptionValue("--config", null);
        assertThat(strings(peregrine.get("volumes"))).contains("./peregrine/peregrine.yaml:" + config + ":ro");
    }

    @Test
    void theDefaultTopologyIsDistributedAndTheEmbeddedMonitorIsAProfileNothingElseNeeds() throws IOException {
        final Map<String, Map<String, Object>> services = services();

        assertThat(strings(services.get("peregrine").get("profiles"))).containsExactly("embedded");
        services.forEach((name, service) -> {
            if (!"peregrine".equals(name)) {
                assertThat(service).as("services.%s runs by default", name).doesNotContainKey("profiles");
                assertThat(dependencies(service)).as("services.%s.depends_on", name).doesNotContain("peregrine");
            }
        });
    }

    @Test
    void theDistributedServicesCommandsParseWithTheRealCommandLineOnTheStacksKafkaAndTheirOwnPorts()
            throws IOException {
        final Map<String, Map<String, Object>> services = services();
        final Map<String, Integer> ports = Map.of("collector", CollectorCommand.DEFAULT_HTTP_PORT,
                "engine", EngineCommand.DEFAULT_HTTP_PORT, "alerter", AlerterCommand.DEFAULT_HTTP_PORT);

        ports.forEach((name, port) -> {
            final Map<String, Object> service = services.get(name);
            final ParseResult parsed = Peregrine.commandLine().parseArgs(strings(service.get("command"))
                    .toArray(String[]::new));
            final ParseResult command = parsed.subcommand();
            assertThat(command.commandSpec().name()).isEqualTo(name);
            final String kafka = command.matchedOptionValue("--kafka", "");
            assertThat(kafka).as("%s --kafka", name).isEqualTo("kafka:9092");
            assertThat(command.hasMatchedOption("--http-port")).as("%s: its default port", name).isFalse();
            assertThat(command.<String>matchedOptionValue("--http-host", null)).isEqualTo("0.0.0.0");
            assertThat(strings(service.get("ports"))).as("services.%s.ports", name)
                    .containsExactly("127.0.0.1:" + port + ":" + port);
            assertThat(strings(asMap(service.get("healthcheck")).get("test"))).as("services.%s.healthcheck", name)
                    .anySatisfy(test -> assertThat(test).contains("/dev/tcp/127.0.0.1/" + port + " ", "GET /healthz"));
            assertThat(mapAt(mapAt(service, "depends_on"), "kafka").get("condition")).as("%s waits for Kafka", name)
                    .isEqualTo("service_healthy");
        });
        final ParseResult collector = Peregrine.commandLine().parseArgs(strings(services.get("collector")
                .get("command")).toArray(String[]::new)).subcommand();
        assertThat(collector.hasMatchedOption("--ingest")).isTrue();
        final Path config = collector.matchedOptionValue("--config", null);
        assertThat(strings(services.get("collector").get("volumes")))
                .contains("./peregrine/peregrine.yaml:" + config + ":ro");
        final ParseResult alerter = Peregrine.commandLine().parseArgs(strings(services.get("alerter")
                .get("command")).toArray(String[]::new)).subcommand();
        final URI elasticsearch = alerter.matchedOptionValue("--elasticsearch", null);
        assertThat(services).containsKey(elasticsearch.getHost());
        assertThat(mapAt(mapAt(services.get("alerter"), "depends_on"), elasticsearch.getHost()).get("condition"))
                .isEqualTo("service_healthy");
    }

    @Test
    void theDistributedServicesRunAsTheImagesUserOnAReadOnlyRootFilesystemWithTheirStateOnVolumes()
            throws IOException {
        final Map<String, Map<String, Object>> services = services();
        final String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        final Matcher workdir = Pattern.compile("(?m)^WORKDIR (/var/lib/peregrine)$").matcher(dockerfile);
        assertThat(workdir.find()).as("the runtime stage's working directory").isTrue();
        final Set<String> volumes = new TreeSet<>();

        for (final String name : List.of("collector", "engine", "alerter")) {
            final Map<String, Object> service = services.get(name);
            assertThat(dockerfile).contains("USER " + service.get("user"));
            assertThat(service.get("read_only")).as("services.%s.read_only", name).isEqualTo(true);
            assertThat(strings(service.get("cap_drop"))).as("services.%s.cap_drop", name).containsExactly("ALL");
            assertThat(strings(service.get("security_opt"))).contains("no-new-privileges:true");
            final String state = strings(service.get("volumes")).stream()
                    .filter(volume -> volume.endsWith(":" + workdir.group(1))).findFirst()
                    .orElseThrow(() -> new AssertionError("services." + name + " keeps no state on a volume"));
            assertThat(state).as("services.%s: a named volume", name).doesNotStartWith(".");
            volumes.add(state);
        }
        assertThat(volumes).as("one volume each: spools and Kafka Streams state are per instance").hasSize(3);
    }

    @Test
    void prometheusScrapesPeregrinesMetricsEndpointWithTheMountedConfig() throws IOException {
        final Map<String, Object> prometheus = services().get("prometheus");
        final String configFlag = strings(prometheus.get("command")).stream()
                .filter(argument -> argument.startsWith("--config.file=")).findFirst().orElseThrow();
        assertThat(strings(prometheus.get("volumes")))
                .contains("./prometheus/prometheus.yml:" + configFlag.substring("--config.file=".length()) + ":ro");

        final Map<String, Object> config = yaml(DOCKER.resolve("prometheus/prometheus.yml"));
        final List<Map<String, Object>> jobs = maps(config.get("scrape_configs"));
        // the secret Prometheus gets is made from the variable that Peregrine reads its metrics token from
        final String secret = strings(prometheus.get("secrets")).get(0);
        assertThat(mapAt(mapAt(compose(), "secrets"), secret).get("environment")).isEqualTo("PEREGRINE_METRICS_TOKEN");
        assertThat(mapAt(services().get("peregrine"), "environment")).containsKey("PEREGRINE_METRICS_TOKEN");
        assertThat(jobs).anySatisfy(job -> {
            assertThat(job.get("metrics_path")).isEqualTo("/metrics");
            assertThat(maps(job.get("static_configs")).stream().flatMap(targets -> strings(targets.get("targets")).stream()))
                    .contains("peregrine:" + RunCommand.DEFAULT_HTTP_PORT);
            // /metrics needs a token: the scrape reads it from the secret that carries Peregrine's metrics token
            final Map<String, Object> authorization = mapAt(job, "authorization");
            assertThat(authorization.get("type")).isEqualTo("Bearer");
            assertThat(authorization.get("credentials_file")).isEqualTo("/run/secrets/" + secret);
        });
    }

    @Test
    void grafanaIsProvisionedWithTheDataSourceAndTheDashboardFolderTheDashboardUses() throws IOException {
        final Map<String, Object> grafana = services().get("grafana");
        final List<String> volumes = strings(grafana.get("volumes"));
        final String provisioning = mountTarget(volumes, "./grafana/provisioning");
        final String dashboards = mountTarget(volumes, "./grafana/dashboards");

        final Map<String, Object> sources = yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml"));
        final Map<String, Object> source = maps(sources.get("datasources")).get(0);
        assertThat(source.get("type")).isEqualTo("prometheus");
        assertThat(source.get("url")).isEqualTo("http://prometheus:9090");
        final Map<String, Object> providers = yaml(DOCKER.resolve("grafana/provisioning/dashboards/peregrine.yaml"));
        assertThat(mapAt(maps(providers.get("providers")).get(0), "options").get("path")).isEqualTo(dashboards);
        assertThat(provisioning).isEqualTo("/etc/grafana/provisioning");

        final List<Map<String, Object>> panels = panels(dashboard()).stream()
                .filter(panel -> !"row".equals(panel.get("type"))).toList();
        assertThat(panels).isNotEmpty().allSatisfy(panel -> {
            assertThat(mapAt(panel, "datasource").get("uid")).as("panel %s", panel.get("title")).isEqualTo(source.get("uid"));
            assertThat(maps(panel.get("targets"))).as("queries of panel %s", panel.get("title")).isNotEmpty()
                    .allSatisfy(query -> assertThat(metricNames((String) query.get("expr")))
                            .as("metrics of %s", query.get("expr")).isNotEmpty());
        });
    }

    @Test
    void everyMetricTheDashboardQueriesIsOneARunningPeregrineServes(@TempDir final Path dir) throws Exception {
        final Set<String> queried = new TreeSet<>();
        panels(dashboard()).stream().flatMap(panel -> maps(panel.get("targets")).stream())
                .forEach(query -> queried.addAll(metricNames((String) query.get("expr"))));
        assertThat(queried).as("the panels the stack promises").contains("peregrine_events_total",
                "peregrine_events_rejected_total", "peregrine_alerts_total", "peregrine_sink_deliveries_total",
                "peregrine_sink_spool_depth", "peregrine_ingest_queue_depth", "peregrine_alert_latency_seconds_bucket");

        final Set<String> served = servedMetrics(dir);

        assertThat(served).as("metrics a running peregrine serves").containsAll(queried);
    }

    @Test
    void metricNamesAreReadFromPromqlLeavingOutFunctionsLabelsAndRanges() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(peregrine_alert_latency_seconds_bucket"
                + "{sink=\"a b\"}[$__rate_interval])))")).containsExactly("peregrine_alert_latency_seconds_bucket");
        assertThat(metricNames("sum(jvm_memory_used_bytes{area=\"heap\"}) / on (x) sum(jvm_memory_max_bytes) > bool 1"))
                .containsExactly("jvm_memory_used_bytes", "jvm_memory_max_bytes");
    }

    /**
     * Runs peregrine with the stack's own config file, feeds it the example incident and a
     * malformed line over the ingest API so that every family has samples (labelled families
     * appear only once they have one), and returns the sample names of /metrics.
     * Elasticsearch is a port nobody listens on: the sink's delivery and spool metrics show up.
     */
    private static Set<String> servedMetrics(final Path dir) throws Exception {
        final int port = PeregrineProcess.freePort();
        final List<String> args = List.of("run", "--ingest", "--config", DOCKER.resolve("peregrine/peregrine.yaml").toString(),
                "--http-port", Integer.toString(port), "--elasticsearch", "http://127.0.0.1:" + PeregrineProcess.freePort(),
                "--state-dir", dir.resolve("state").toString(), "--spool-dir", dir.resolve("spool").toString(),
                "--dead-letter", dir.resolve("dead-letter.ndjson").toString());
        try (PeregrineProcess run = PeregrineProcess.start(dir.resolve("alerts.out"),
                Map.of("PEREGRINE_INGEST_TOKEN", TOKEN), args)) {
            run.awaitLog("monitoring HTTP ingest");
            final HttpClient http = HttpClient.newHttpClient();
            final String events = Stream.of("os-events.ndjson", "agent-events.ndjson")
                    .map(file -> ROOT.resolve("examples/incident-credential-theft").resolve(file))
                    .map(ComposeFileTest::read).collect(Collectors.joining());
            for (final String body : List.of(events, "this line is not JSON\n")) {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isIn(200, 400);
            }
            run.await("alerts raised and the sink's spool holding them", () ->
                    PeregrineProcess.metric(port, "peregrine_alerts_total{") > 0
                            && PeregrineProcess.metric(port, "peregrine_sink_spool_depth{") > 0
                            && PeregrineProcess.metric(port, "peregrine_events_rejected_total{") > 0);
            // the stack's ingest token is bound to no identity: an operator's, which may read the metrics
            final String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
            run.terminate();
            return metrics.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The metric names a PromQL expression reads. */
    static Set<String> metricNames(final String expr) {
        String rest = STRING_LITERALS.matcher(expr).replaceAll(" ");
        rest = LABEL_MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGES.matcher(rest).replaceAll(" ");
        rest = GROUPINGS.matcher(rest).replaceAll(" ");
        final Set<String> names = new LinkedHashSet<>();
        final Matcher identifiers = IDENTIFIERS.matcher(rest);
        while (identifiers.find()) {
            if (!PROMQL_KEYWORDS.contains(identifiers.group())) {
                names.add(identifiers.group());
            }
        }
        return names;
    }

    private static String version(final String image) {
        return image.substring(image.lastIndexOf(':') + 1);
    }

    private static String projectVersion() throws IOException {
        return firstGroup(ROOT.resolve("pom.xml"), "<artifactId>peregrine-parent</artifactId>\\s*<version>([^<]+)</version>");
    }

    private static String firstGroup(final Path file, final String regex) throws IOException {
        final Matcher matcher = Pattern.compile(regex).matcher(Files.readString(file));
        assertThat(matcher.find()).as("%s in %s", regex, file).isTrue();
        return matcher.group(1);
    }

    private static String mountTarget(final List<String> volumes, final String source) {
        return volumes.stream().filter(volume -> volume.startsWith(source + ":")).findFirst()
                .map(volume -> volume.split(":")[1]).orElseThrow(() -> new AssertionError("no mount of " + source));
    }

    private static List<String> dependencies(final Map<String, Object> service) {
        final Object dependsOn = service.get("depends_on");
        if (dependsOn instanceof Map<?, ?> map) {
            return map.keySet().stream().map(String::valueOf).toList();
        }
        return strings(dependsOn);
    }

    private static Map<String, Object> compose() throws IOException {
        return yaml(DOCKER.resolve("compose.yaml"));
    }

    private static Map<String, Map<String, Object>> services() throws IOException {
        final Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        mapAt(compose(), "services").forEach((name, service) -> services.put(name, asMap(service)));
        return services;
    }

    private static Map<String, Object> yaml(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return asMap(new Yaml().load(reader));
        }
    }

    private static Map<String, Object> dashboard() throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(DOCKER.resolve("grafana/dashboards/peregrine.json").toFile())) {
            parser.nextToken();
            final Object tree = json(parser);
            assertThat(parser.nextToken()).as("nothing after the dashboard object").isNull();
            return asMap(tree);
        }
    }

    /** The dashboard's panels, those inside collapsed rows included. */
    private static List<Map<String, Object>> panels(final Map<String, Object> dashboard) {
        final List<Map<String, Object>> panels = new ArrayList<>();
        for (final Map<String, Object> panel : maps(dashboard.get("panels"))) {
            panels.add(panel);
            panels.addAll(maps(panel.get("panels")));
        }
        return panels;
    }

    /** The value at the parser's current token as maps, lists and scalars. */
    private static Object json(final JsonParser parser) throws IOException {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            final Map<String, Object> object = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String name = parser.currentName();
                parser.nextToken();
                object.put(name, json(parser));
            }
            return object;
        }
        if (token == JsonToken.START_ARRAY) {
            final List<Object> array = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(json(parser));
            }
            return array;
        }
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
            case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + token + " at " + parser.currentLocation());
        };
    }

    private static Map<String, Object> mapAt(final Map<String, Object> map, final String key) {
        return asMap(map.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<Map<String, Object>> maps(final Object value) {
        if (value == null) {
            return List.of();
        }
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(ComposeFileTest::asMap).toList();
    }

    private static List<String> strings(final Object value) {
        if (value == null) {
            return List.of();
        }
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
