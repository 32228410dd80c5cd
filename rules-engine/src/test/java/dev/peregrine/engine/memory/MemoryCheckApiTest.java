package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IdentityViolation;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.MemoryCheckHandler;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/memory/check} over real HTTP on 127.0.0.1, mounted beside ingest on one server
 * as the application mounts it, judging with the {@link MemoryJudge} the detector uses.
 */
class MemoryCheckApiTest {

    private static final String RESEARCH_TOKEN = "research-token-0123456789";
    private static final String PLATFORM_TOKEN = "platform-token-0123456789";
    private static final List<TokenBinding> TOKENS = List.of(
            new TokenBinding("research", RESEARCH_TOKEN, new IdentityPattern("research-bot", null, null)),
            new TokenBinding("platform", PLATFORM_TOKEN, IdentityPattern.ANY));
    private static final IngestLimits LIMITS = new IngestLimits(64 * 1024, 4 * 1024, 1_000, 10_000, 10_000, 100);
    private static final PerAgent<MemoryAnomalySettings> SETTINGS = settings();

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<IdentityViolation> violations = new CopyOnWriteArrayList<>();
    private IngestServer ingest;
    private MemoryCheckHandler handler;
    private HttpServer server;
    private ExecutorService executor;
    private URI check;

    private static PerAgent<MemoryAnomalySettings> settings() {
        try {
            return DetectionSettings.parse("""
                    detections:
                      memory_anomaly:
                        shared_namespaces: [team-kb]
                    """, "peregrine.yaml").memoryAnomaly();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void start() throws IOException {
        ingest = new IngestServer(TOKENS, LIMITS, violations::add);
        handler = new MemoryCheckHandler(ingest, new MemoryJudge(SETTINGS));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        ingest.mount(server);
        server.createContext(MemoryCheckHandler.PATH, handler);
        server.start();
        check = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + MemoryCheckHandler.PATH);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
        ingest.close();
    }

    @Test
    void aPoisonedWriteIsFlaggedWithTheRuleIdPriorityAndEvidenceItsAlertWillCarry() throws Exception {
        final String line = line("poisoned_shared_entry_read_by_two_agents.ndjson", 1);
        final HttpResponse<String> response = post(RESEARCH_TOKEN, line);
        final Alert alert = MemoryTraces.replay(new MemoryDetector(SETTINGS, new InMemoryStateStore()),
                MemoryTraces.load("poisoned_shared_entry_read_by_two_agents.ndjson").subList(1, 2)).get(0);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        final Map<String, Object> verdict = json(response.body());
        assertThat(verdict).containsEntry("verdict", "flag").containsEntry("rule_id", alert.ruleId())
                .containsEntry("priority", "Critical").containsEntry("sha256", alert.outputFields().get("memory.sha256"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> findings = (List<Map<String, Object>>) verdict.get("findings");
        assertThat(findings).extracting(f -> f.get("kind")).containsExactly("instruction", "instruction", "instruction",
                "url");
        assertThat(findings.get(0)).containsKeys("offset", "length", "detail", "evidence");
        assertThat((String) findings.get(3).get("evidence")).contains("collect.evil-metrics.io");
        // the answer quotes excerpts, never the entry
        assertThat(response.body()).doesNotContain("Deploy checklist for api");
        assertThat(ingest.queued()).as("a check ingests nothing").isZero();
        assertThat(handler.outcomes()).containsEntry("flag", 1L);
    }

    @Test
    void aCleanWriteIsAllowed() throws Exception {
        final HttpResponse<String> response = post(RESEARCH_TOKEN, line("clean_entry_in_own_namespace.ndjson", 0));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body())).containsEntry("verdict", "allow").containsEntry("rule_id", null)
                .containsEntry("priority", null).containsEntry("findings", List.of());
        assertThat(handler.outcomes()).containsEntry("allow", 1L);
    }

    @Test
    void aNativeWriteWithoutAnAgentIsJudgedAsTheAgentItsTokenIsBoundTo() throws Exception {
        final String anonymous = "{\"evt.time\":\"2026-11-24T09:00:05.000Z\",\"evt.source\":\"agent\","
                + "\"evt.type\":\"memory_write\",\"memory.namespace\":\"ci-runner\",\"memory.key\":\"cache\","
                + "\"memory.content\":\"Build cache lives in /tmp/cache.\"}";

        final HttpResponse<String> response = post(RESEARCH_TOKEN, anonymous);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body())).containsEntry("rule_id", "memory_anomaly.cross_namespace");
        assertThat(response.body()).contains("agent research-bot may not write namespace ci-runner");
    }

    @Test
    void aTokenBoundToOneAgentCannotCheckForAnotherAndTheClaimIsReported() throws Exception {
        final String other = line("clean_entry_in_own_namespace.ndjson", 0).replace("research-bot", "ci-runner");

        final HttpResponse<String> response = post(RESEARCH_TOKEN, other);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response.body())).containsEntry("error", "identity_not_allowed");
        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.tokenName()).isEqualTo("research");
            assertThat(v.claimed()).isEqualTo("ci-runner");
        });
        assertThat(ingest.stats().identityViolations()).isEqualTo(1);
        // a platform token bound to no identity may check for any agent
        assertThat(post(PLATFORM_TOKEN, other).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAValidTokenTheAnswerIsUnauthorized() throws Exception {
        final String line = line("clean_entry_in_own_namespace.ndjson", 0);
        final HttpResponse<String> none = client.send(HttpRequest.newBuilder(check)
                .POST(BodyPublishers.ofString(line)).build(), BodyHandlers.ofString());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(post("not-a-configured-token-at-all", line).statusCode()).isEqualTo(401);
        assertThat(handler.outcomes()).containsEntry("unauthorized", 2L);
    }

    @Test
    void badBodiesAreRefusedWithTheReason() throws Exception {
        final HttpResponse<String> broken = post(RESEARCH_TOKEN, "{\"time\": \"2026-11-24T09:00:05.000Z\", \"agent\": ");
        final HttpResponse<String> read = post(RESEARCH_TOKEN, line("poisoned_shared_entry_read_by_two_agents.ndjson", 0));
        final HttpResponse<String> two = post(RESEARCH_TOKEN, line("clean_entry_in_own_namespace.ndjson", 0) + "\n"
                + line("clean_entry_in_own_namespace.ndjson", 0));
        final HttpResponse<String> empty = post(RESEARCH_TOKEN, "");
        final HttpResponse<String> get = client.send(HttpRequest.newBuilder(check)
                .header("Authorization", "Bearer " + RESEARCH_TOKEN).GET().build(), BodyHandlers.ofString());

        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(json(broken.body())).containsEntry("error", "malformed_json").containsKey("body_sha256");
        assertThat(read.statusCode()).isEqualTo(400);
        assertThat(json(read.body())).containsEntry("error", "not_memory_write");
        assertThat((String) json(read.body()).get("message")).contains("memory_read");
        assertThat(two.statusCode()).isEqualTo(400);
        assertThat(json(two.body())).containsEntry("error", "one_event_expected");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(handler.outcomes()).containsEntry("malformed_json", 1L).containsEntry("not_memory_write", 1L)
                .containsEntry("one_event_expected", 2L).containsEntry("method_not_allowed", 1L);
        assertThat(ingest.queued()).isZero();
    }

    @Test
    void aBodyOverOneEventsLimitIsTooLarge() throws Exception {
        final String huge = line("clean_entry_in_own_namespace.ndjson", 0)
                .replace("Deploy checklist", "Deploy checklist " + "x".repeat(LIMITS.maxLineBytes()));

        final HttpResponse<String> response = post(RESEARCH_TOKEN, huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response.body())).containsEntry("error", "body_too_large");
    }

    private HttpResponse<String> post(final String token, final String body) throws Exception {
        return client.send(HttpRequest.newBuilder(check).header("Authorization", "Bearer " + token)
                .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    }

    /** Line {@code index} of a memory trace, as a platform would post it. */
    private static String line(final String trace, final int index) throws IOException {
        try (InputStream in = MemoryCheckApiTest.class.getResourceAsStream("/traces/memory/" + trace)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")[index];
        }
    }

    private static Map<String, Object> json(final String body) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(body)) {
            parser.nextToken();
            @SuppressWarnings("unchecked")
            final Map<String, Object> object = (Map<String, Object>) value(parser);
            return object;
        }
    }

    private static Object value(final JsonParser parser) throws IOException {
        final JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            final Map<String, Object> object = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String name = parser.currentName();
                parser.nextToken();
                object.put(name, value(parser));
            }
            return object;
        }
        if (token == JsonToken.START_ARRAY) {
            final List<Object> array = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(value(parser));
            }
            return array;
        }
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        return token.isNumeric() ? parser.getNumberValue() : parser.getText();
    }
}
