package dev.peregrine.alerting.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.spool.SpoolConfig;
import dev.peregrine.alerting.spool.SpoolingSink;
import dev.peregrine.testbed.ElasticsearchNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real single-node Elasticsearch (testbed), one node for the whole class: alerts arrive
 * as ECS documents with the template's mappings, 1,000 identical alerts behind dedup leave one
 * document with count 1000, and an outage of {@link #OUTAGE} while alerts keep flowing — with the
 * sink itself restarted in the middle — ends with every alert indexed exactly once. Takes about two
 * minutes: the node starts twice and stays down for the whole outage.
 */
class ElasticsearchSinkOutageTest {

    /** How long Elasticsearch stays down while alerts keep flowing (issue 7). */
    static final Duration OUTAGE = Duration.ofSeconds(60);
    /** Alerts produced per second during the test. */
    private static final int ALERTS_PER_SECOND = 20;

    private static ElasticsearchNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path spoolDir;

    @BeforeAll
    static void startElasticsearch() throws IOException {
        node = ElasticsearchNode.create().start();
    }

    @AfterAll
    static void stopElasticsearch() throws IOException {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void alertsArriveAsEcsDocumentsWithTheTemplatesMappingsAndSummariesOverwrite() throws Exception {
        final String index = "ecs-alerts";
        final ElasticsearchSink elasticsearch = new ElasticsearchSink(ElasticsearchConfig.of(node.httpUri())
                .withIndex(index));
        assertThat(elasticsearch.healthy()).isTrue();
        elasticsearch.installTemplate();
        try (SpoolingSink sink = new SpoolingSink("elasticsearch", elasticsearch, SpoolConfig.of(spoolDir),
                SinkMetrics.NONE)) {
            sink.deliver(EcsDocumentTest.shellSpawned("first", 1));
            sink.deliver(EcsDocumentTest.shellSpawned("other", 1));
            // dedup's summary of the first: same id, larger count, must overwrite
            sink.deliver(EcsDocumentTest.shellSpawned("first", 5));
            // a stale copy arriving late must not win over the summary
            sink.deliver(EcsDocumentTest.shellSpawned("first", 3));
            sink.flush();
            assertThat(sink.delivered()).isEqualTo(4);
            assertThat(sink.failed()).isZero();
        }
        refresh(index);
        assertThat(count(index)).isEqualTo(2);

        final String first = get("/" + index + "/_doc/first");
        assertThat(first).contains("\"_version\":5").contains("\"count\":5")
                .contains("\"kind\":\"alert\"").contains("\"severity\":5")
                .contains("\"command_line\":\"bash -c cat ~/.ssh/id_ed25519\"")
                .contains("\"technique\":{\"id\":[\"T1059\",\"T1552\"]");

        final String mapping = get("/" + index + "/_mapping");
        assertThat(mapping).contains("\"@timestamp\":{\"type\":\"date_nanos\"}")
                .contains("\"severity\":{\"type\":\"long\"}")
                .contains("\"command_line\":{\"type\":\"keyword\",\"ignore_above\":8191}")
                .contains("\"pid\":{\"type\":\"long\"}")
                .contains("\"fd_name\":{\"type\":\"keyword\",\"ignore_above\":8191}");
        assertThat(get("/_index_template/" + index)).contains("\"index_patterns\":[\"ecs-alerts*\"]");
    }

    @Test
    void thousandIdenticalAlertsThroughDedupLeaveOneDocumentWhoseCountIs1000() throws Exception {
        final String index = "storm-alerts";
        final ElasticsearchSink elasticsearch = new ElasticsearchSink(ElasticsearchConfig.of(node.httpUri())
                .withIndex(index));
        elasticsearch.installTemplate();
        final AlertStorm storm = AlertStorm.of(EcsDocumentTest.shellSpawned("storm", 1));
        final SpoolingSink sink = new SpoolingSink("elasticsearch", elasticsearch, SpoolConfig.of(spoolDir),
                SinkMetrics.NONE);
        try (DeduplicatingSink dedup = storm.pourInto(sink)) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
            // the first alert and every summary reached the cluster; none waits in the spool
            assertThat(sink.delivered()).isEqualTo(AlertStorm.DELIVERED_COUNTS.size());
            assertThat(sink.spooled()).isZero();
            assertThat(sink.failed()).isZero();
        }
        refresh(index);

        // the summaries overwrote the first alert's document (_id = alert id, version = count): one document
        assertThat(count(index)).isEqualTo(1);
        final String document = get("/" + index + "/_doc/" + storm.expectedId());
        assertThat(document).contains("\"found\":true").contains("\"_version\":1000")
                .contains("\"count\":1000,")
                .contains("\"first_seen\":\"" + AlertJson.formatTime(storm.firstSeenNanos()) + "\"")
                .contains("\"last_seen\":\"" + AlertJson.formatTime(storm.lastSeenNanos()) + "\"");
    }

    @Test
    void everyAlertIsIndexedExactlyOnceAfterAnOutageAndARestartOfTheSink() throws Exception {
        final String index = "outage-alerts";
        final PrometheusRegistry registry = new PrometheusRegistry();
        final PrometheusSinkMetrics metrics = PrometheusSinkMetrics.register(registry);
        final ElasticsearchConfig config = ElasticsearchConfig.of(node.httpUri()).withIndex(index)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5));
        final SpoolConfig spool = SpoolConfig.of(spoolDir).withBatching(50, Duration.ofMillis(200))
                .withRetries(2, Duration.ofMillis(100), Duration.ofSeconds(2));
        final Producer producer = new Producer(new SpoolingSink("elasticsearch", new ElasticsearchSink(config),
                spool, metrics.forSink("elasticsearch")));
        final ScheduledExecutorService flow = Executors.newSingleThreadScheduledExecutor();
        try {
            flow.scheduleAtFixedRate(producer::produce, 0, 1000 / ALERTS_PER_SECOND, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.produced() >= 2 * ALERTS_PER_SECOND);

            node.kill();
            final Instant downSince = Instant.now();
            assertThat(new ElasticsearchSink(config).healthy()).isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.spoolDepth() > 0);

            // halfway through, the sink itself restarts with alerts in its spool
            await().atMost(OUTAGE).until(() -> Duration.between(downSince, Instant.now())
                    .compareTo(OUTAGE.dividedBy(2)) >= 0);
            final long spooledAtClose = producer.restart(() -> new SpoolingSink("elasticsearch",
                    new ElasticsearchSink(config), spool, metrics.forSink("elasticsearch")));
            assertThat(spooledAtClose).isPositive();

            await().atMost(OUTAGE.plusSeconds(30)).until(() -> Duration.between(downSince, Instant.now())
                    .compareTo(OUTAGE) >= 0);
            node.start();
            final long atRestart = producer.produced();
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.produced() >= atRestart + ALERTS_PER_SECOND);
        } finally {
            flow.shutdown();
            flow.awaitTermination(1, TimeUnit.MINUTES);
        }

        await().atMost(Duration.ofMinutes(2)).until(() -> {
            producer.flush();
            return producer.spoolDepth() == 0;
        });
        producer.close();

        final List<String> ids = producer.ids();
        refresh(index);
        assertThat(count(index)).isEqualTo(ids.size());
        assertThat(foundById(index, ids)).isEqualTo(ids.size());
        assertThat(counter(registry, "spooled")).isPositive();
        assertThat(counter(registry, "retried")).isPositive();
        assertThat(counter(registry, "delivered")).isGreaterThanOrEqualTo(ids.size());
        assertThat(counter(registry, "failed")).isZero();
    }

    /** Feeds alerts into the current sink; the sink can be swapped for a fresh one mid-flow. */
    private static final class Producer {
        private final List<String> ids = new ArrayList<>();
        private SpoolingSink sink;
        private int next;

        Producer(final SpoolingSink sink) {
            this.sink = sink;
        }

        synchronized void produce() {
            final Alert alert = EcsDocumentTest.shellSpawned(Alert.deterministicId("agent_shell_spawned", "s-8f2c",
                    next), 1);
            try {
                sink.deliver(alert);
                ids.add(alert.id());
                next++;
            } catch (final IOException e) {
                throw new IllegalStateException("a spooling sink must not fail a delivery", e);
            }
        }

        synchronized long restart(final SinkFactory factory) throws IOException {
            sink.close();
            sink = factory.open();
            return sink.spoolDepth();
        }

        synchronized int produced() {
            return next;
        }

        synchronized long spoolDepth() {
            return sink.spoolDepth();
        }

        synchronized void flush() throws IOException {
            sink.flush();
        }

        synchronized void close() throws IOException {
            sink.close();
        }

        synchronized List<String> ids() {
            return List.copyOf(ids);
        }
    }

    /** Opens a sink. */
    @FunctionalInterface
    private interface SinkFactory {
        SpoolingSink open() throws IOException;
    }

    private void refresh(final String index) throws Exception {
        send(HttpRequest.newBuilder(uri("/" + index + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private long count(final String index) throws Exception {
        final Matcher count = Pattern.compile("\"count\":(\\d+)").matcher(get("/" + index + "/_count"));
        assertThat(count.find()).isTrue();
        return Long.parseLong(count.group(1));
    }

    private long foundById(final String index, final List<String> ids) throws Exception {
        final String body = "{\"ids\":[\"" + String.join("\",\"", ids) + "\"]}";
        final String response = send(HttpRequest.newBuilder(uri("/" + index + "/_mget?_source=false"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        return Pattern.compile("\"found\":true").matcher(response).results().count();
    }

    private String get(final String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private String send(final HttpRequest.Builder request) throws Exception {
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s", response.body()).isEqualTo(200);
        return response.body();
    }

    private static URI uri(final String path) {
        return node.httpUri().resolve(path);
    }

    private static double counter(final PrometheusRegistry registry, final String outcome) {
        for (final MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot instanceof CounterSnapshot counters
                    && snapshot.getMetadata().getName().equals(PrometheusSinkMetrics.DELIVERIES)) {
                return counters.getDataPoints().stream().filter(p -> outcome.equals(p.getLabels().get("outcome")))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        return 0;
    }
}
