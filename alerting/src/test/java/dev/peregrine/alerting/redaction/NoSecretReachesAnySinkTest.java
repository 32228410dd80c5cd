package dev.peregrine.alerting.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.console.TextAlertSink;
import dev.peregrine.alerting.elasticsearch.EcsDocument;
import dev.peregrine.alerting.jsonl.JsonLinesSink;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.spool.SpoolConfig;
import dev.peregrine.alerting.spool.SpoolingSink;
import dev.peregrine.alerting.syslog.SyslogCefSink;
import dev.peregrine.alerting.syslog.SyslogConfig;
import dev.peregrine.alerting.syslog.SyslogTransport;
import dev.peregrine.alerting.webhook.WebhookConfig;
import dev.peregrine.alerting.webhook.WebhookFormat;
import dev.peregrine.alerting.webhook.WebhookSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace's secrets, one alert per kind, go through every sink type alerting has — the console
 * text, the JSON-lines file, the webhook (generic and Slack) to a real HTTP server, syslog CEF
 * over UDP to a real socket, the Elasticsearch document, the Kafka record value and the on-disk
 * spool — and every byte that comes out is searched for them. Without redaction they are all there (so the search
 * can see a leak); with a {@link RedactingSink} in front of each sink, none is.
 */
class NoSecretReachesAnySinkTest {

    @TempDir
    Path dir;

    private final List<byte[]> webhookBodies = Collections.synchronizedList(new ArrayList<>());
    private HttpServer webhook;
    private DatagramSocket syslogReceiver;

    @BeforeEach
    void startReceivers() throws IOException {
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", this::receive);
        webhook.start();
        syslogReceiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        syslogReceiver.setReceiveBufferSize(1 << 20);
        syslogReceiver.setSoTimeout(10_000);
    }

    @AfterEach
    void stopReceivers() {
        webhook.stop(0);
        syslogReceiver.close();
    }

    private void receive(final HttpExchange exchange) throws IOException {
        webhookBodies.add(exchange.getRequestBody().readAllBytes());
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static List<Alert> trace() {
        final List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < FakeSecrets.ALL.size(); i++) {
            alerts.add(FakeSecrets.alertCarrying(FakeSecrets.ALL.get(i), i));
        }
        return alerts;
    }

    @Test
    void withoutRedactionEverySecretReachesEverySink() throws Exception {
        final Map<String, byte[]> out = deliverThroughEverySink(sink -> sink, dir.resolve("plain"));

        for (final Map.Entry<String, byte[]> sink : out.entrySet()) {
            final String bytes = new String(sink.getValue(), StandardCharsets.UTF_8);
            for (final FakeSecrets.Case secret : FakeSecrets.ALL) {
                for (final String needle : secret.needles()) {
                    assertThat(bytes).as("%s carries the %s secret", sink.getKey(), secret.kind()).contains(needle);
                }
            }
        }
    }

    @Test
    void noSecretReachesAnySinkThroughARedactingSink() throws Exception {
        final Redactor redactor = Redactor.withDefaults();
        final List<RedactingSink> redacting = new ArrayList<>();
        final Map<String, byte[]> out = deliverThroughEverySink(sink -> {
            final RedactingSink wrapped = new RedactingSink(sink, redactor);
            redacting.add(wrapped);
            return wrapped;
        }, dir.resolve("redacted"));

        assertThat(out).hasSize(8);
        for (final Map.Entry<String, byte[]> sink : out.entrySet()) {
            assertThat(sink.getValue()).as(sink.getKey()).isNotEmpty();
            final String bytes = new String(sink.getValue(), StandardCharsets.UTF_8);
            for (final FakeSecrets.Case secret : FakeSecrets.ALL) {
                for (final String needle : secret.needles()) {
                    assertThat(bytes).as("%s leaks the %s secret", sink.getKey(), secret.kind())
                            .doesNotContain(needle);
                }
            }
        }
        for (final RedactingSink sink : redacting) {
            assertThat(sink.alertsRedacted()).isEqualTo(FakeSecrets.ALL.size());
            assertThat(sink.failures()).isZero();
            // output, proc.cmdline, memory.content and http.url each carried the secret once
            assertThat(sink.maskedByPattern().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(4L * FakeSecrets.ALL.size());
        }
    }

    @Test
    void redactedAlertsKeepTheirIds() throws Exception {
        final Path file = dir.resolve("ids.ndjson");
        try (AlertSink sink = new RedactingSink(JsonLinesSink.toFile(file), Redactor.withDefaults())) {
            for (final Alert alert : trace()) {
                sink.deliver(alert);
            }
        }

        final List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(FakeSecrets.ALL.size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).contains("\"id\":\"" + trace().get(i).id() + "\"");
        }
    }

    /** Every sink type, each behind {@code wrap}; returns every byte each one emitted, by sink name. */
    private Map<String, byte[]> deliverThroughEverySink(final Function<AlertSink, AlertSink> wrap, final Path work)
            throws Exception {
        final List<Alert> alerts = trace();
        final Map<String, byte[]> out = new LinkedHashMap<>();

        final StringWriter console = new StringWriter();
        deliverAll(wrap.apply(new TextAlertSink(console, true)), alerts);
        out.put("console text", console.toString().getBytes(StandardCharsets.UTF_8));

        final Path jsonl = work.resolve("alerts.ndjson");
        deliverAll(wrap.apply(JsonLinesSink.toFile(jsonl)), alerts);
        out.put("jsonl file", Files.readAllBytes(jsonl));

        final URI hook = URI.create("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
        for (final WebhookFormat format : WebhookFormat.values()) {
            webhookBodies.clear();
            deliverAll(wrap.apply(new WebhookSink(WebhookConfig.of(hook, format)
                    .withRetries(1, Duration.ZERO, Duration.ZERO))), alerts);
            assertThat(webhookBodies).hasSize(alerts.size());
            out.put("webhook " + format, concat(webhookBodies));
        }

        deliverAll(wrap.apply(new SyslogCefSink(SyslogConfig.of("127.0.0.1", syslogReceiver.getLocalPort(),
                SyslogTransport.UDP, "test"))), alerts);
        final List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
            syslogReceiver.receive(packet);
            datagrams.add(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        }
        out.put("syslog cef udp", concat(datagrams));

        final EcsDocument ecs = new EcsDocument();
        final Rendering elasticsearch = new Rendering(ecs::toJson);
        deliverAll(wrap.apply(elasticsearch), alerts);
        out.put("elasticsearch document", concat(elasticsearch.rendered));

        // KafkaAlertSink's record value: the alert's Falco JSON, UTF-8
        final AlertJson json = new AlertJson();
        final Rendering kafka = new Rendering(alert -> json.toJson(alert).getBytes(StandardCharsets.UTF_8));
        deliverAll(wrap.apply(kafka), alerts);
        out.put("kafka value", concat(kafka.rendered));

        final Path spool = work.resolve("spool");
        deliverAll(wrap.apply(new SpoolingSink("down", alert -> {
            throw new TemporaryDeliveryException("destination down");
        }, SpoolConfig.of(spool).withBatching(1, Duration.ZERO).withRetries(1, Duration.ZERO, Duration.ZERO),
                SinkMetrics.NONE)), alerts);
        final List<byte[]> spoolFiles = new ArrayList<>();
        try (Stream<Path> files = Files.walk(spool)) {
            for (final Path file : files.filter(Files::isRegularFile).toList()) {
                spoolFiles.add(Files.readAllBytes(file));
            }
        }
        out.put("spool files", concat(spoolFiles));
        return out;
    }

    private static void deliverAll(final AlertSink sink, final List<Alert> alerts) throws IOException {
        try (sink) {
            for (final Alert alert : alerts) {
                sink.deliver(alert);
            }
        }
    }

    private static byte[] concat(final List<byte[]> parts) {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        synchronized (parts) {
            parts.forEach(part -> all.writeBytes(part));
        }
        return all.toByteArray();
    }

    /** A sink that keeps what a real sink would put on the wire, rendered by {@code render}. */
    private static final class Rendering implements AlertSink {
        final List<byte[]> rendered = new ArrayList<>();
        private final Function<Alert, byte[]> render;

        Rendering(final Function<Alert, byte[]> render) {
            this.render = render;
        }

        @Override
        public void deliver(final Alert alert) {
            rendered.add(render.apply(alert));
        }
    }
}
