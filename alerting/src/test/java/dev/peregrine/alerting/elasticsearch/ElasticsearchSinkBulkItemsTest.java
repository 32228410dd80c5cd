package dev.peregrine.alerting.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.spool.DeliveryResult;
import dev.peregrine.alerting.spool.DeliveryResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink reads every item of a bulk response, as a real cluster answers it (served here by a
 * small HTTP server on 127.0.0.1 speaking the Elasticsearch REST protocol): a bulk that
 * "succeeded" can still hold rejected items.
 */
class ElasticsearchSinkBulkItemsTest {

    private static final String ITEMS = "{\"took\":3,\"errors\":true,\"items\":["
            + "{\"index\":{\"_index\":\"peregrine-alerts\",\"_id\":\"a0\",\"_version\":1,\"result\":\"created\",\"status\":201}},"
            + "{\"index\":{\"_index\":\"peregrine-alerts\",\"_id\":\"a1\",\"status\":429,\"error\":{\"type\":"
            + "\"es_rejected_execution_exception\",\"reason\":\"rejected execution of coordinating operation\"}}},"
            + "{\"index\":{\"_index\":\"peregrine-alerts\",\"_id\":\"a2\",\"status\":400,\"error\":{\"type\":"
            + "\"document_parsing_exception\",\"reason\":\"failed to parse field [process.pid] of type [long]\"}}},"
            + "{\"index\":{\"_index\":\"peregrine-alerts\",\"_id\":\"a3\",\"status\":409,\"error\":{\"type\":"
            + "\"version_conflict_engine_exception\",\"reason\":\"current version [5] is higher than [3]\"}}}]}";

    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private HttpServer server;
    private volatile int bulkStatus = 200;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void answer(final HttpExchange exchange) throws IOException {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        final String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path + "\n" + body);
        final int status;
        final String reply;
        if (path.startsWith("/_index_template/")) {
            status = 200;
            reply = "{\"acknowledged\":true}";
        } else if (path.equals("/_bulk")) {
            status = bulkStatus;
            reply = status == 200 ? ITEMS : "{\"error\":{\"type\":\"cluster_block_exception\",\"reason\":\"blocked\"},"
                    + "\"status\":" + status + "}";
        } else {
            status = 404;
            reply = "{}";
        }
        final byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        // the Java client refuses answers that do not say they come from Elasticsearch
        exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private ElasticsearchSink sink() {
        return new ElasticsearchSink(ElasticsearchConfig.of(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort())));
    }

    @Test
    void eachItemOfABulkResponseGetsItsOwnOutcome() throws Exception {
        try (ElasticsearchSink sink = sink()) {
            final List<DeliveryResult> results = sink.deliverAll(List.of(EcsDocumentTest.shellSpawned("a0", 1),
                    EcsDocumentTest.shellSpawned("a1", 1), EcsDocumentTest.shellSpawned("a2", 1),
                    EcsDocumentTest.shellSpawned("a3", 3)));
            assertThat(results).extracting(DeliveryResult::outcome)
                    .containsExactly(Outcome.DELIVERED, Outcome.TEMPORARY, Outcome.PERMANENT, Outcome.DELIVERED);
            assertThat(results.get(2).reason()).contains("HTTP 400 document_parsing_exception")
                    .contains("process.pid");
        }
        assertThat(requests.take()).startsWith("PUT /_index_template/peregrine-alerts");
        final String bulk = requests.take();
        assertThat(bulk).startsWith("POST /_bulk");
        // index (not create) with _id = alert id and the count as an external_gte version
        assertThat(bulk).contains("{\"index\":{\"_id\":\"a3\",\"_index\":\"peregrine-alerts\",\"version\":3,"
                + "\"version_type\":\"external_gte\"}}");
        assertThat(bulk).contains("\"event\":{\"kind\":\"alert\"");
    }

    @Test
    void aWholeRequestRefusedWith503IsTemporary() {
        bulkStatus = 503;
        try (ElasticsearchSink sink = sink()) {
            assertThatThrownBy(() -> sink.deliverAll(List.of(EcsDocumentTest.shellSpawned("a0", 1))))
                    .isInstanceOf(TemporaryDeliveryException.class).hasMessageContaining("HTTP 503");
        } catch (final IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anUnreachableClusterIsTemporaryAndUnhealthy() throws IOException {
        server.stop(0);
        try (ElasticsearchSink sink = sink()) {
            assertThat(sink.healthy()).isFalse();
            assertThatThrownBy(() -> sink.deliverAll(List.of(EcsDocumentTest.shellSpawned("a0", 1))))
                    .isInstanceOf(TemporaryDeliveryException.class);
        }
    }
}
