package dev.peregrine.alerting.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

    private static final long TIME = 1_795_342_562_123_456_789L;

    /** One request the test server received. */
    private record Received(String method, String contentType, String authorization, String body) {
    }

    /** A scripted reply: status, body, extra header. */
    private record Reply(int status, String body, String retryAfter) {
        static Reply of(final int status) {
            return new Reply(status, status == 200 ? "ok" : "error", null);
        }
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final CountDownLatch releaseStalled = new CountDownLatch(1);
    private final List<Duration> sleeps = new ArrayList<>();
    private ExecutorService handlers;
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        handlers = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/hook", this::handle);
        server.createContext("/stall", exchange -> {
            try {
                releaseStalled.await(10, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        releaseStalled.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(final HttpExchange exchange) throws IOException {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Authorization"), body));
        final Reply reply = replies.isEmpty() ? Reply.of(200) : replies.poll();
        if (reply.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
        }
        final byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private URI url(final String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private WebhookSink sink(final WebhookConfig config) {
        return new WebhookSink(config, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout()).build(), sleeps::add, new Random(42));
    }

    private static Alert alert() {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", "ci-runner");
        fields.put("proc.pid", 4242L);
        return new Alert(Alert.deterministicId("shell_in_agent_tool", "s-8f2c", TIME), TIME, "shell_in_agent_tool",
                "Shell <spawned> & run", Priority.CRITICAL, "syscall", "sandbox-host-3", List.of("T1059", "shell"),
                "Shell \"bash\" under node <@here>", fields, "ci-runner", "s-8f2c", 3, TIME, TIME);
    }

    @Test
    void genericFormatPostsTheAlertJsonObject() throws Exception {
        final WebhookConfig config = new WebhookConfig(url("/hook"), WebhookFormat.GENERIC, Duration.ofSeconds(5),
                Duration.ofSeconds(5), 3, Duration.ofMillis(100), Duration.ofSeconds(5),
                Map.of("Authorization", "Bearer t0ken"));
        final WebhookSink sink = sink(config);

        sink.deliver(alert());

        final Received request = received.poll(5, TimeUnit.SECONDS);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).startsWith("application/json");
        assertThat(request.authorization()).isEqualTo("Bearer t0ken");
        @SuppressWarnings("unchecked")
        final Map<String, Object> json = (Map<String, Object>) parse(request.body());
        assertThat(json.keySet()).containsExactly("time", "rule", "priority", "source", "hostname", "tags", "output",
                "output_fields", "id", "rule_id", "agent", "session", "count", "first_seen", "last_seen");
        assertThat(json).containsEntry("id", alert().id()).containsEntry("count", 3L)
                .containsEntry("priority", "Critical").containsEntry("output", alert().output());
        assertThat(sink.delivered()).isEqualTo(1);
        assertThat(sink.retried()).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void slackFormatIsAnIncomingWebhookMessageWithOneColouredAttachment() throws Exception {
        final WebhookSink sink = sink(WebhookConfig.of(url("/hook"), WebhookFormat.SLACK));

        sink.deliver(alert());

        final Map<String, Object> message = (Map<String, Object>) parse(received.poll(5, TimeUnit.SECONDS).body());
        assertThat(message.keySet()).containsExactly("text", "attachments");
        // the alert stands for 3 occurrences: the notification says so, not only the Count field
        assertThat(message.get("text")).isEqualTo("[Critical] Shell &lt;spawned&gt; &amp; run ×3");
        final List<Object> attachments = (List<Object>) message.get("attachments");
        assertThat(attachments).hasSize(1);
        final Map<String, Object> attachment = (Map<String, Object>) attachments.get(0);
        assertThat(attachment.keySet()).contains("fallback", "color", "title", "text", "fields", "ts");
        assertThat((String) attachment.get("color")).matches("#[0-9a-f]{6}")
                .isEqualTo(SlackMessage.colorOf(Priority.CRITICAL));
        assertThat(attachment.get("title")).isEqualTo("Shell &lt;spawned&gt; &amp; run");
        // escaped: an alert's output must not page the channel
        assertThat(attachment.get("text")).isEqualTo("Shell \"bash\" under node &lt;@here&gt;");
        assertThat(attachment.get("ts")).isEqualTo(1_795_342_562L);
        final List<Object> fields = (List<Object>) attachment.get("fields");
        assertThat(fields).allSatisfy(f -> assertThat(((Map<String, Object>) f).keySet())
                .containsExactly("title", "value", "short"));
        assertThat(fields).extracting(f -> ((Map<String, Object>) f).get("title"))
                .containsExactly("Agent", "Session", "Priority", "Rule ID", "Host", "Count", "Tags");
        assertThat((Map<String, Object>) fields.get(0)).containsEntry("value", "ci-runner")
                .containsEntry("short", true);
        assertThat((Map<String, Object>) fields.get(5)).containsEntry("value", "3");
        assertThat((Map<String, Object>) fields.get(6)).containsEntry("value", "T1059, shell")
                .containsEntry("short", false);
        assertThat(attachment.get("footer")).isEqualTo("Peregrine · " + alert().id());
    }

    @Test
    void genericThousandIdenticalAlertsThroughDedupArriveAsOneAlertWhoseCountReaches1000() throws Exception {
        final AlertStorm storm = AlertStorm.of(alert());
        try (DeduplicatingSink dedup = storm.pourInto(sink(WebhookConfig.of(url("/hook"), WebhookFormat.GENERIC)))) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
        }

        final List<Map<String, Object>> posted = new ArrayList<>();
        for (final Received request : received) {
            posted.add(object(parse(request.body())));
        }
        // the first alert at once, a summary every 100 repeats, the final one at flush: all one alert
        assertThat(posted).extracting(json -> json.get("id")).containsOnly(storm.expectedId());
        assertThat(posted).extracting(json -> json.get("count")).containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        final Map<String, Object> last = posted.get(posted.size() - 1);
        assertThat(last).containsEntry("first_seen", AlertJson.formatTime(storm.firstSeenNanos()))
                .containsEntry("last_seen", AlertJson.formatTime(storm.lastSeenNanos()));
    }

    @Test
    void slackThousandIdenticalAlertsThroughDedupArriveAsOneAlertWhoseCountReaches1000() throws Exception {
        final AlertStorm storm = AlertStorm.of(alert());
        try (DeduplicatingSink dedup = storm.pourInto(sink(WebhookConfig.of(url("/hook"), WebhookFormat.SLACK)))) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
        }

        final List<Map<String, Object>> attachments = new ArrayList<>();
        final List<Object> texts = new ArrayList<>();
        for (final Received request : received) {
            final Map<String, Object> message = object(parse(request.body()));
            assertThat(message.keySet()).containsExactly("text", "attachments");
            texts.add(message.get("text"));
            final List<?> attached = (List<?>) message.get("attachments");
            assertThat(attached).hasSize(1);
            attachments.add(object(attached.get(0)));
        }
        // each message names the same alert in its footer and shows how many it stands for
        assertThat(attachments).extracting(a -> a.get("footer")).containsOnly("Peregrine · " + storm.expectedId());
        assertThat(attachments).extracting(WebhookSinkTest::countField)
                .containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        assertThat(texts).hasSize(AlertStorm.DELIVERED_COUNTS.size());
        assertThat(texts.get(0)).isEqualTo("[Critical] Shell &lt;spawned&gt; &amp; run");
        assertThat(texts.get(texts.size() - 1)).isEqualTo("[Critical] Shell &lt;spawned&gt; &amp; run ×1000");
    }

    /** The value of a Slack attachment's Count field, as a number. */
    private static long countField(final Map<String, Object> attachment) {
        for (final Object field : (List<?>) attachment.get("fields")) {
            final Map<String, Object> titled = object(field);
            if ("Count".equals(titled.get("title"))) {
                return Long.parseLong((String) titled.get("value"));
            }
        }
        throw new AssertionError("no Count field in " + attachment);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Object json) {
        assertThat(json).isInstanceOf(Map.class);
        return (Map<String, Object>) json;
    }

    @Test
    void a503IsRetriedWithBackoffThenSucceeds() throws Exception {
        replies.add(Reply.of(503));
        replies.add(Reply.of(503));
        replies.add(Reply.of(200));
        final WebhookSink sink = sink(WebhookConfig.of(url("/hook"), WebhookFormat.GENERIC)
                .withRetries(5, Duration.ofMillis(400), Duration.ofSeconds(30)));

        sink.deliver(alert());

        assertThat(received).hasSize(3).extracting(Received::body).containsOnly(sink.body(alert()));
        assertThat(sink.delivered()).isEqualTo(1);
        assertThat(sink.retried()).isEqualTo(2);
        assertThat(sink.failed()).isZero();
        // equal jitter around 400 ms, then 800 ms
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @Test
    void a429WaitsWhatRetryAfterAsksCappedAtMaxBackoff() throws Exception {
        replies.add(new Reply(429, "rate_limited", "7"));
        replies.add(new Reply(429, "rate_limited", "3600"));
        final WebhookSink sink = sink(WebhookConfig.of(url("/hook"), WebhookFormat.SLACK)
                .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(30)));

        sink.deliver(alert());

        assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(30));
        assertThat(sink.delivered()).isEqualTo(1);
    }

    @Test
    void a400IsPermanentAndNotRetried() {
        replies.add(new Reply(400, "invalid_payload", null));
        final WebhookSink sink = sink(WebhookConfig.of(url("/hook"), WebhookFormat.SLACK));

        assertThatThrownBy(() -> sink.deliver(alert())).isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("HTTP 400 invalid_payload");
        assertThat(received).hasSize(1);
        assertThat(sleeps).isEmpty();
        assertThat(sink.retried()).isZero();
        assertThat(sink.failed()).isEqualTo(1);
    }

    @Test
    void serverDownIsRetriedThenCountedAsFailedAndTemporary() throws IOException {
        final int port;
        try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = unused.getLocalPort();
        }
        final WebhookSink sink = sink(WebhookConfig.of(URI.create("http://127.0.0.1:" + port + "/hook"),
                WebhookFormat.GENERIC).withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(1)));

        assertThatThrownBy(() -> sink.deliver(alert())).isInstanceOf(TemporaryDeliveryException.class)
                .hasMessageContaining("127.0.0.1:" + port);
        assertThat(sink.retried()).isEqualTo(2);
        assertThat(sink.failed()).isEqualTo(1);
        assertThat(sink.delivered()).isZero();
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void aServerThatNeverAnswersTimesOutAsATemporaryFailure() {
        final WebhookSink sink = sink(WebhookConfig.of(url("/stall"), WebhookFormat.GENERIC)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(200))
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(1)));

        assertThatThrownBy(() -> sink.deliver(alert())).isInstanceOf(TemporaryDeliveryException.class)
                .hasMessageContaining("timed out");
        assertThat(sink.failed()).isEqualTo(1);
        assertThat(sink.retried()).isZero();
    }

    /** A tiny JSON tree from Jackson's streaming parser: maps, lists, strings, longs, booleans, null. */
    private static Object parse(final String json) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            parser.nextToken();
            final Object value = value(parser);
            assertThat(parser.nextToken()).as("one JSON value only").isNull();
            return value;
        }
    }

    private static Object value(final JsonParser parser) throws IOException {
        final JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                final Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String name = parser.currentName();
                    parser.nextToken();
                    map.put(name, value(parser));
                }
                return map;
            }
            case START_ARRAY: {
                final List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(parser));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return parser.getBooleanValue();
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected " + token);
        }
    }
}
