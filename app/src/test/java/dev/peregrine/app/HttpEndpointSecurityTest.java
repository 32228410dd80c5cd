package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.app.config.TestCertificates;
import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP endpoint's own protection, on a real server on 127.0.0.1: HTTPS with a configured
 * certificate (and nothing in plain HTTP on that port), and {@code /metrics} only for a metrics or
 * operator token unless opened, each refusal counted and audited.
 */
class HttpEndpointSecurityTest {

    private static final TokenBinding OPERATOR = new TokenBinding("ops", "operator-secret-0123456789", IdentityPattern.ANY);
    private static final TokenBinding AGENT = new TokenBinding("ci-runner", "agent-secret-0123456789",
            new IdentityPattern("ci-runner", null, null));
    private static final String METRICS_SECRET = "metrics-secret-0123456789";
    private static final String EVENT = "{\"time\":\"2026-11-27T10:00:00Z\",\"agent\":\"ci-runner\",\"session\":\"s-1\","
            + "\"type\":\"tool_call\",\"tool\":\"shell\",\"outcome\":\"allowed\"}\n";

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private final List<Event> audited = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void generateCertificate() throws Exception {
        certificates = TestCertificates.generate(dir, "endpoint", "EC");
    }

    @Test
    void eventsPostedOverHttpsAreTakenAndPlainHttpToTheSamePortGetsNoAnswer() throws Exception {
        final IngestServer ingest = new IngestServer(List.of(AGENT), IngestLimits.DEFAULTS, violation -> { });
        final EndpointSecurity security = new EndpointSecurity(
                Optional.of(TlsIdentity.fromPem(certificates.certificate(), certificates.privateKey()).sslContext()),
                false, EndpointSecurity.metricsTokens(Optional.of(METRICS_SECRET), List.of(AGENT)), audited::add);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(), ingest, null,
                security)) {
            final HttpClient https = HttpClient.newBuilder().sslContext(certificates.trustingClient())
                    .connectTimeout(Duration.ofSeconds(10)).build();
            final URI events = URI.create("https://127.0.0.1:" + endpoint.port() + IngestServer.EVENTS_PATH);

            final HttpResponse<String> posted = https.send(HttpRequest.newBuilder(events)
                    .header("Authorization", "Bearer " + AGENT.token()).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(EVENT + EVENT)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(endpoint.scheme()).isEqualTo("https");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            assertThat(ingest.queued()).isEqualTo(2);
            assertThat(get(https, "https://127.0.0.1:" + endpoint.port() + "/metrics", METRICS_SECRET).statusCode())
                    .isEqualTo(200);
            assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port()
                                    + IngestServer.EVENTS_PATH)).header("Authorization", "Bearer " + AGENT.token())
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(EVENT)).build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .as("plain HTTP to the TLS port").isInstanceOf(IOException.class);
            assertThat(ingest.queued()).as("nothing taken from plain HTTP").isEqualTo(2);
            assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(30)).GET().build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .as("a client that does not trust the certificate").isInstanceOf(IOException.class);
        } finally {
            ingest.close();
        }
    }

    @Test
    void metricsNeedTheMetricsTokenOrAnOperatorTokenAndEveryRefusalIsCountedAndAudited() throws Exception {
        final EndpointSecurity security = new EndpointSecurity(Optional.empty(), false,
                EndpointSecurity.metricsTokens(Optional.of(METRICS_SECRET), List.of(OPERATOR, AGENT)), audited::add);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(), null, null,
                security)) {
            final HttpClient http = HttpClient.newHttpClient();
            final String metrics = "http://127.0.0.1:" + endpoint.port() + "/metrics";

            final HttpResponse<String> none = get(http, metrics, null);
            final HttpResponse<String> wrong = get(http, metrics, "not-a-configured-token-at-all");
            final HttpResponse<String> agents = get(http, metrics, AGENT.token());
            final HttpResponse<String> operator = get(http, metrics, OPERATOR.token());
            final HttpResponse<String> dedicated = get(http, metrics, METRICS_SECRET);

            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"peregrine\"");
            assertThat(none.body()).contains("unauthorized", "http.metrics_open").doesNotContain("peregrine_");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(agents.statusCode()).as("an agent's ingest token").isEqualTo(401);
            assertThat(operator.statusCode()).isEqualTo(200);
            assertThat(dedicated.statusCode()).isEqualTo(200);
            assertThat(dedicated.body()).contains("peregrine_metrics_requests_total{status=\"401\"} 3.0",
                    "peregrine_metrics_requests_total{status=\"200\"} 2.0");
            assertThat(audited).hasSize(3).allSatisfy(event -> {
                assertThat(event.get(StandardFields.EVT_TYPE)).isEqualTo("platform_access");
                assertThat(event.get(StandardFields.PLATFORM_OP)).isEqualTo("metrics");
                assertThat(event.get(StandardFields.PLATFORM_OUTCOME)).isEqualTo("unauthorized");
                assertThat((String) event.get(StandardFields.PLATFORM_REMOTE_ADDR)).startsWith("127.0.0.1:");
            });
            assertThat(audited).extracting(event -> event.extra("metrics.reason"))
                    .containsExactly("no token", "a token that may not read the metrics",
                            "a token that may not read the metrics");
        }
    }

    @Test
    void openedMetricsAreServedWithoutAToken() throws Exception {
        final EndpointSecurity security = new EndpointSecurity(Optional.empty(), true, List.of(), audited::add);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(), null, null,
                security)) {
            final HttpResponse<String> scrape = get(HttpClient.newHttpClient(),
                    "http://127.0.0.1:" + endpoint.port() + "/metrics", null);

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("peregrine_metrics_requests_total");
            assertThat(audited).isEmpty();
        }
    }

    private static HttpResponse<String> get(final HttpClient client, final String url, final String token)
            throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
