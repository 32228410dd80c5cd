package dev.peregrine.collector.ingest;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest API over real HTTP on 127.0.0.1, read as a source by a thread of its own. */
class IngestServerTest {

    private static final String CI_TOKEN = "ci-token-0123456789abcdef";
    private static final String SANDBOX_TOKEN = "sbx-token-0123456789abcdef";
    private static final List<TokenBinding> TOKENS = List.of(
            new TokenBinding("ci", CI_TOKEN, new IdentityPattern("ci-runner", "s-*", null)),
            new TokenBinding("sandbox-12", SANDBOX_TOKEN, new IdentityPattern("builder", "s-1", "sbx-12")));
    private static final IngestLimits LIMITS = new IngestLimits(64 * 1024, 4 * 1024, 1_000, 10_000, 10_000, 100);
    private static final String AGENT_LINE = "{\"time\":\"2026-11-22T10:05:12.201Z\",\"agent\":\"ci-runner\","
            + "\"session\":\"s-8f2c\",\"type\":\"tool_call\",\"tool\":\"shell\",\"outcome\":\"allowed\"}";
    private static final String NATIVE_LINE = "{\"evt.time\":\"2026-11-22T10:05:12.211Z\",\"evt.type\":\"openat\","
            + "\"fd.name\":\"/etc/shadow\"}";

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<IdentityViolation> violations = new CopyOnWriteArrayList<>();
    private final Reader reader = new Reader();
    private IngestServer server;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = new IngestServer(TOKENS, LIMITS, violations::add);
        base = uri(server.listen(new InetSocketAddress("127.0.0.1", 0)));
        reader.start(server);
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        reader.join();
    }

    @Test
    void aRequestWithoutAValidTokenIsUnauthorizedAndTakesNothing() throws Exception {
        final HttpResponse<String> none = send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .POST(BodyPublishers.ofString(AGENT_LINE)).build());
        final HttpResponse<String> wrong = post("not-a-configured-token-at-all", AGENT_LINE);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("\"error\":\"unauthorized\"");
        assertThat(drain()).isEmpty();
        assertThat(server.stats().requestsByStatus()).containsEntry(401, 2L);
    }

    @Test
    void eventsOfAValidTokenComeOutOfTheSourceWithTheIdentityTheyLacked() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, AGENT_LINE + "\n" + NATIVE_LINE + "\n");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"accepted\":2", "\"rejected\":0");
        final List<Event> events = events(2);
        assertThat(events.get(0).getString(EVT_TYPE)).isEqualTo("tool_call");
        assertThat(events.get(0).getString(AGENT_SESSION)).isEqualTo("s-8f2c");
        // The native event had no identity: agent.id comes from the literal pattern, the session
        // pattern is a wildcard and names no session to fill in.
        assertThat(events.get(1).getString(EVT_TYPE)).isEqualTo("openat");
        assertThat(events.get(1).getString(AGENT_ID)).isEqualTo("ci-runner");
        assertThat(events.get(1).has(AGENT_SESSION)).isFalse();
    }

    @Test
    void aTokenBoundToOneSandboxFillsItsWholeIdentity() throws Exception {
        assertThat(post(SANDBOX_TOKEN, NATIVE_LINE).statusCode()).isEqualTo(200);

        final Event event = events(1).get(0);
        assertThat(event.getString(AGENT_ID)).isEqualTo("builder");
        assertThat(event.getString(AGENT_SESSION)).isEqualTo("s-1");
        assertThat(event.getString(SANDBOX_ID)).isEqualTo("sbx-12");
    }

    @Test
    void anEventClaimingAnotherIdentityIsForbiddenReportedAndNothingOfTheRequestIsTaken() throws Exception {
        final String spoof = AGENT_LINE.replace("\"agent\":\"ci-runner\"", "\"agent\":\"prod-deployer\"");
        final HttpResponse<String> response = post(CI_TOKEN, AGENT_LINE + "\n" + spoof + "\n" + NATIVE_LINE);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"accepted\":0", "\"line\":2", "\"reason\":\"identity_not_allowed\"");
        assertThat(violations).singleElement().satisfies(violation -> {
            assertThat(violation.tokenName()).isEqualTo("ci");
            assertThat(violation.field()).isEqualTo("agent.id");
            assertThat(violation.claimed()).isEqualTo("prod-deployer");
            assertThat(violation.allowed()).isEqualTo("ci-runner");
            assertThat(violation.remoteAddress()).startsWith("127.0.0.1:");
            assertThat(violation.line()).isEqualTo(2);
            assertThat(violation.time()).isNotNull();
        });
        final Rejection kept = reader.rejections.poll(10, TimeUnit.SECONDS);
        assertThat(kept).isNotNull();
        assertThat(kept.reason()).isEqualTo(Reason.IDENTITY_NOT_ALLOWED);
        assertThat(kept.line()).isEqualTo(2);
        assertThat(kept.raw()).isEqualTo(spoof);
        assertThat(kept.message()).contains("token 'ci'", "prod-deployer");
        assertThat(drain()).as("the good lines of a spoofing request are not taken").isEmpty();
    }

    @Test
    void aSessionOutsideTheTokensGlobIsAViolationToo() throws Exception {
        final String otherSession = AGENT_LINE.replace("\"session\":\"s-8f2c\"", "\"session\":\"prod-1\"");

        assertThat(post(CI_TOKEN, otherSession).statusCode()).isEqualTo(403);
        assertThat(violations).extracting(IdentityViolation::field).containsExactly("agent.session");
    }

    @Test
    void aBodyOverTheLimitIsRefusedUnread() throws Exception {
        final byte[] big = (NATIVE_LINE + "\n").repeat(LIMITS.maxBodyBytes() / NATIVE_LINE.length() + 2)
                .getBytes(StandardCharsets.UTF_8);

        final HttpResponse<String> response = post(CI_TOKEN, BodyPublishers.ofByteArray(big));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("body_too_large");
        assertThat(drain()).isEmpty();
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffWhileReading() throws Exception {
        final byte[] big = (NATIVE_LINE + "\n").repeat(LIMITS.maxBodyBytes() / NATIVE_LINE.length() + 2)
                .getBytes(StandardCharsets.UTF_8);
        // No Content-Length: the size shows only as the body streams in.
        final BodyPublisher chunked = BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big));

        final HttpResponse<String> response = post(CI_TOKEN, chunked);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(drain()).isEmpty();
    }

    @Test
    void mixedGoodAndBadLinesAreTakenLineByLineWithAReasonForEachRejectedOne() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, BodyPublishers.ofByteArray(fixture("mixed-lines.ndjson")));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body()).contains("\"accepted\":3", "\"rejected\":2",
                "{\"line\":2,\"reason\":\"malformed_json\"", "{\"line\":5,\"reason\":\"missing_field\"");
        assertThat(events(3)).extracting(event -> event.getString(EVT_TYPE))
                .containsExactly("tool_call", "openat", "connect");
        final List<Rejection> rejected = rejections(2);
        assertThat(rejected).extracting(Rejection::line).containsExactly(2L, 5L);
        assertThat(rejected).allSatisfy(rejection -> {
            assertThat(rejection.source()).isEqualTo(IngestServer.NAME);
            assertThat(rejection.message()).startsWith("token 'ci' from 127.0.0.1:");
            assertThat(rejection.rawSha256()).hasSize(64);
        });
        assertThat(server.stats().rejectedByReason()).containsEntry("malformed_json", 1L).containsEntry("missing_field", 1L);
        assertThat(server.stats().eventsAccepted()).isEqualTo(3);
    }

    @Test
    void aBodyOfOnlyBadLinesIsABadRequestAndItsLinesAreKept() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, "{oops\n[1,2]\n");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"accepted\":0", "\"rejected\":2");
        assertThat(rejections(2)).extracting(Rejection::line).containsExactly(1L, 2L);
    }

    @Test
    void anEmptyBodyIsABadRequest() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, "\n  \n");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("no events");
    }

    @Test
    void aJsonArrayIsSplitIntoItsElements() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, BodyPublishers.ofByteArray(fixture("array-of-events.json")));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body()).contains("\"accepted\":2", "{\"line\":2,\"reason\":\"malformed_json\"");
        final List<Event> events = events(2);
        assertThat(events).extracting(event -> event.getString(EVT_TYPE)).containsExactly("http_request", "connect");
        assertThat(events.get(1).extra("tags")).isEqualTo("[\"nested\",{\"ok\":true}]");
        assertThat(rejections(1).get(0).raw()).isEqualTo("\"not an event\"");
    }

    @Test
    void aBrokenJsonArrayKeepsTheElementsBeforeTheBreak() throws Exception {
        final HttpResponse<String> response = post(CI_TOKEN, "[" + NATIVE_LINE + ", {\"evt.time\": ]");

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(events(1)).hasSize(1);
        assertThat(rejections(1).get(0).message()).contains("invalid JSON array", "from element 2 on");
    }

    @Test
    void aTokenOverItsRateIsToldToComeBackLater() throws Exception {
        server.close();
        reader.join();
        server = new IngestServer(TOKENS, new IngestLimits(64 * 1024, 4 * 1024, 1_000, 0.001, 3, 100),
                violations::add);
        base = uri(server.listen(new InetSocketAddress("127.0.0.1", 0)));
        reader.start(server);

        final HttpResponse<String> first = post(CI_TOKEN, String.join("\n", NATIVE_LINE, NATIVE_LINE, NATIVE_LINE));
        final HttpResponse<String> second = post(CI_TOKEN, NATIVE_LINE);
        final HttpResponse<String> otherToken = post(SANDBOX_TOKEN, NATIVE_LINE);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(second.body()).contains("rate_limited");
        assertThat(otherToken.statusCode()).as("each token has its own bucket").isEqualTo(200);
        assertThat(events(4)).hasSize(4);
    }

    @Test
    void getOnTheEventsPathIsNotAllowed() throws Exception {
        final HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + CI_TOKEN).GET().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void healthzAnswersWithoutAToken() throws Exception {
        final HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/healthz")).GET().build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"ok\"", "\"queue_capacity\":1000");
    }

    @Test
    void theApiMountsOnAServerTheApplicationOwns() throws Exception {
        final HttpServer shared = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final IngestServer mounted = new IngestServer(TOKENS, LIMITS, violations::add);
        mounted.mount(shared);
        shared.createContext("/metrics", exchange -> {
            final byte[] body = "# metrics live here too\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        shared.setExecutor(Executors.newFixedThreadPool(2));
        shared.start();
        final Reader mountedReader = new Reader();
        mountedReader.start(mounted);
        try {
            final URI sharedBase = uri(shared.getAddress());
            final HttpResponse<String> posted = send(HttpRequest.newBuilder(sharedBase.resolve("/v1/events"))
                    .header("Authorization", "Bearer " + CI_TOKEN).POST(BodyPublishers.ofString(NATIVE_LINE)).build());
            final HttpResponse<String> health = send(HttpRequest.newBuilder(sharedBase.resolve("/healthz")).build());
            final HttpResponse<String> metrics = send(HttpRequest.newBuilder(sharedBase.resolve("/metrics")).build());

            assertThat(posted.statusCode()).isEqualTo(200);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("metrics live here");
            assertThat(mountedReader.events.poll(10, TimeUnit.SECONDS)).isNotNull();
        } finally {
            mounted.close();
            mountedReader.join();
            shared.stop(0);
            ((java.util.concurrent.ExecutorService) shared.getExecutor()).shutdownNow();
        }
    }

    @Test
    void afterCloseRequestsAreRefusedAndTheReadEnds() throws Exception {
        final HttpServer shared = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final IngestServer mounted = new IngestServer(TOKENS, LIMITS, violations::add);
        mounted.mount(shared);
        shared.start();
        final Reader mountedReader = new Reader();
        mountedReader.start(mounted);
        try {
            final URI sharedBase = uri(shared.getAddress());
            mounted.close();
            mountedReader.join();

            assertThat(mountedReader.thread.isAlive()).isFalse();
            assertThat(send(HttpRequest.newBuilder(sharedBase.resolve("/v1/events"))
                    .header("Authorization", "Bearer " + CI_TOKEN).POST(BodyPublishers.ofString(NATIVE_LINE)).build())
                    .statusCode()).isEqualTo(503);
            assertThat(send(HttpRequest.newBuilder(sharedBase.resolve("/healthz")).build()).statusCode()).isEqualTo(503);
            assertThat(mountedReader.events).isEmpty();
        } finally {
            shared.stop(0);
        }
    }

    @Test
    void aGzippedNdjsonBodyIsReadAsThePlainOneAndOtherEncodingsAreUnsupported() throws Exception {
        final ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write((AGENT_LINE + "\n" + NATIVE_LINE + "\n").getBytes(StandardCharsets.UTF_8));
        }

        final HttpResponse<String> gzip = send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + CI_TOKEN).header("Content-Encoding", "gzip")
                .POST(BodyPublishers.ofByteArray(gzipped.toByteArray())).build());
        final HttpResponse<String> deflate = send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + CI_TOKEN).header("Content-Encoding", "deflate")
                .POST(BodyPublishers.ofString(AGENT_LINE)).build());

        assertThat(gzip.statusCode()).as(gzip.body()).isEqualTo(200);
        assertThat(events(2)).extracting(e -> e.getString(EVT_TYPE)).containsExactly("tool_call", "openat");
        assertThat(deflate.statusCode()).isEqualTo(415);
        assertThat(deflate.body()).contains("unsupported_content_encoding", "deflate");
        assertThat(drain()).isEmpty();
    }

    private HttpResponse<String> post(final String token, final String body) throws Exception {
        return post(token, BodyPublishers.ofString(body));
    }

    private HttpResponse<String> post(final String token, final BodyPublisher body) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve("/v1/events")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-ndjson").POST(body).build());
    }

    private HttpResponse<String> send(final HttpRequest request) throws Exception {
        return client.send(request, BodyHandlers.ofString());
    }

    private List<Event> events(final int count) throws InterruptedException {
        final List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final Event event = reader.events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("event %d of %d", i + 1, count).isNotNull();
            events.add(event);
        }
        return events;
    }

    private List<Rejection> rejections(final int count) throws InterruptedException {
        final List<Rejection> rejections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final Rejection rejection = reader.rejections.poll(10, TimeUnit.SECONDS);
            assertThat(rejection).as("rejection %d of %d", i + 1, count).isNotNull();
            rejections.add(rejection);
        }
        return rejections;
    }

    /** Closes the source so its read drains, then says what was left to read. */
    private List<Object> drain() throws InterruptedException {
        server.close();
        reader.join();
        final List<Object> left = new ArrayList<>(reader.events);
        left.addAll(reader.rejections);
        return left;
    }

    private static byte[] fixture(final String name) throws IOException {
        try (InputStream in = IngestServerTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static URI uri(final InetSocketAddress address) {
        return URI.create("http://127.0.0.1:" + address.getPort());
    }

    /** Reads a source on a thread of its own, as the pipeline does. */
    static final class Reader implements SourceListener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final BlockingQueue<Rejection> rejections = new LinkedBlockingQueue<>();
        Thread thread;

        void start(final IngestServer source) {
            thread = new Thread(() -> {
                try {
                    source.read(this);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "ingest-reader");
            thread.start();
        }

        void join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            rejections.add(rejection);
        }
    }
}
