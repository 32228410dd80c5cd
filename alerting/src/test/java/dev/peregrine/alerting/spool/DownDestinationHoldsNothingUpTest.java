package dev.peregrine.alerting.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.FanOutSink;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.kafka.KafkaAlertSink;
import dev.peregrine.alerting.kafka.KafkaSinkConfig;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.webhook.WebhookConfig;
import dev.peregrine.alerting.webhook.WebhookFormat;
import dev.peregrine.alerting.webhook.WebhookSink;
import dev.peregrine.testbed.KafkaBroker;
import dev.peregrine.testbed.KafkaBrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination that is down or hangs holds up nothing and loses nothing: alerts fan out to a
 * spooled real destination on 127.0.0.1 (a Kafka port nobody listens on; an HTTP endpoint that
 * accepts and never answers) and to an in-memory sink standing for stdout. Every alert reaches the
 * in-memory sink while the destination is out (for the webhook: while its first request hangs),
 * the Kafka sink fails fast so the spool takes over, and the destination gets each alert exactly
 * once, in order, when it returns.
 */
class DownDestinationHoldsNothingUpTest {

    private static final int ALERTS = 200;
    private static final long T0 = 1_795_342_562_000_000_000L;
    // only a guard against a hang: the engine thread must never wait on the destination at all
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ExecutorService engine = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopEngine() {
        engine.shutdownNow();
    }

    /** What stdout would print, in order. */
    private static final class Printed implements AlertSink {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public void deliver(final Alert alert) {
            ids.add(alert.id());
        }
    }

    @Test
    void aKafkaClusterThatIsDownHoldsUpNoOtherSinkAndGetsEveryAlertOnceInOrderWhenItStarts() throws Exception {
        final int port = freePort();
        final String topic = "alerts.down";
        final KafkaSinkConfig config = KafkaSinkConfig.of("127.0.0.1:" + port).withTopic(topic)
                .withDeliveryTimeout(Duration.ofSeconds(5));
        final SpoolConfig spool = SpoolConfig.of(dir).withBatching(50, Duration.ofMillis(100))
                .withRetries(2, Duration.ofMillis(100), Duration.ofSeconds(1));
        final List<Alert> alerts = alerts();
        final Printed stdout = new Printed();
        try (SpoolingSink kafka = new SpoolingSink("kafka", new KafkaAlertSink(config), spool, SinkMetrics.NONE)) {
            deliverOnTheEngineThread(new FanOutSink(List.of(kafka, stdout)), alerts);

            assertThat(stdout.ids).containsExactlyElementsOf(ids(alerts));
            assertThat(kafka.delivered()).isZero();
            // the delivery thread finds out on its own and spools them all; the sink fails fast (one
            // metadata wait per batch, not one per alert), or this would take many minutes
            await().atMost(Duration.ofSeconds(60)).until(() -> kafka.spoolDepth() == ALERTS);

            try (KafkaBroker broker = KafkaBroker.start(KafkaBrokerConfig.defaults().withPort(port))) {
                broker.createTopic(topic, 1);
                // a batch is counted delivered before it leaves the spool: wait for both
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> kafka.delivered() == ALERTS && kafka.spoolDepth() == 0);
                assertThat(kafka.failed()).isZero();
                assertThat(read(broker, topic, ALERTS)).extracting(ConsumerRecord::key)
                        .containsExactlyElementsOf(ids(alerts));
            }
        }
    }

    @Test
    void aWebhookThatAcceptsAndNeverAnswersHoldsUpNoOtherSinkAndGetsEveryAlertOnceInOrderWhenItAnswers()
            throws Exception {
        final List<Alert> alerts = alerts();
        final Printed stdout = new Printed();
        final SilentEndpoint silent = new SilentEndpoint();
        final int port = silent.port();
        // one attempt per turn behind the spool, as the app configures it; a request waits for its
        // answer far longer than the test runs, so whoever sends the first one is stuck until the end
        final WebhookConfig webhook = WebhookConfig.of(URI.create("http://127.0.0.1:" + port + "/alerts"),
                WebhookFormat.GENERIC).withRetries(1, Duration.ZERO, Duration.ZERO)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMinutes(10));
        final SpoolConfig spool = SpoolConfig.of(dir).withBatching(1, Duration.ZERO)
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(1));
        final List<String> received = new CopyOnWriteArrayList<>();
        HttpServer answering = null;
        // the endpoint closes first, so a sink stuck on it is let go even when the test fails
        try (SpoolingSink hook = new SpoolingSink("webhook-1", new WebhookSink(webhook), spool, SinkMetrics.NONE);
             silent) {
            deliverOnTheEngineThread(new FanOutSink(List.of(hook, stdout)), alerts);

            assertThat(stdout.ids).containsExactlyElementsOf(ids(alerts));
            // the first alert's request hangs on the delivery thread; the rest wait behind it
            await().atMost(Duration.ofSeconds(30)).until(() -> silent.held() == 1);
            assertThat(hook.delivered()).isZero();
            assertThat(hook.spooled()).isZero();

            // the endpoint restarts: the hung request fails, everything is spooled in order
            silent.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> hook.spoolDepth() == ALERTS);
            answering = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
            final AlertRecord records = new AlertRecord();
            answering.createContext("/alerts", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    received.add(records.decode(new String(body.readAllBytes(), StandardCharsets.UTF_8)).id());
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            answering.start();

            await().atMost(Duration.ofSeconds(60)).until(() -> hook.delivered() == ALERTS && hook.spoolDepth() == 0);
            assertThat(hook.failed()).isZero();
        } finally {
            if (answering != null) {
                answering.stop(0);
            }
        }
        assertThat(received).containsExactlyElementsOf(ids(alerts));
    }

    /** An HTTP port on 127.0.0.1 that accepts connections and never reads or answers them. */
    private static final class SilentEndpoint implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::accept, "silent-endpoint");

        SilentEndpoint() throws IOException {
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** Connections accepted and held. */
        int held() {
            return held.size();
        }

        private void accept() {
            try {
                while (true) {
                    held.add(server.accept());
                }
            } catch (final IOException closed) {
                // close() stopped it
            }
        }

        /** Stops accepting and drops every held connection; may be called again. */
        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            acceptor.join();
            for (final Socket socket : held) {
                socket.close();
            }
        }
    }

    /** Delivers every alert from one thread, as the engine does, failing the test if that thread hangs. */
    private void deliverOnTheEngineThread(final AlertSink sink, final List<Alert> alerts)
            throws InterruptedException, ExecutionException {
        final Future<?> done = engine.submit(() -> {
            for (final Alert alert : alerts) {
                sink.deliver(alert);
            }
            return null;
        });
        try {
            done.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        } catch (final TimeoutException e) {
            done.cancel(true);
            throw new AssertionError("the engine thread is stuck delivering alerts to a destination that is down", e);
        }
    }

    private static List<Alert> alerts() {
        final List<Alert> alerts = new ArrayList<>();
        for (int n = 0; n < ALERTS; n++) {
            final String session = "s-" + n;
            alerts.add(new Alert(Alert.deterministicId("cloud_metadata_connect", session, T0 + n), T0 + n,
                    "cloud_metadata_connect", "Cloud metadata connect", Priority.ERROR, "syscall", "sandbox-3",
                    List.of("network"), "connect to 169.254.169.254", Map.of("fd.name", "169.254.169.254:80"),
                    "ci-runner", session, 1, T0 + n, T0 + n));
        }
        return alerts;
    }

    private static List<String> ids(final List<Alert> alerts) {
        return alerts.stream().map(Alert::id).toList();
    }

    private static List<ConsumerRecord<String, String>> read(final KafkaBroker kafka, final String topic,
                                                             final int expected) {
        final Map<String, Object> props = kafka.clientConfig();
        props.put("enable.auto.commit", "false");
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // nothing more than expected: one extra poll would show a duplicate
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
