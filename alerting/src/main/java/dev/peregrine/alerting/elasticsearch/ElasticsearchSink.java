package dev.peregrine.alerting.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.json.SimpleJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransport;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.spool.BatchAlertSink;
import dev.peregrine.alerting.spool.DeliveryResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes alerts into Elasticsearch as ECS documents ({@link EcsDocument}), one bulk request per
 * batch, with the official Java client.
 *
 * <p>Each alert is an {@code index} operation with {@code _id} = alert id, so a redelivery
 * overwrites instead of duplicating, and with {@code version} = alert count and
 * {@code version_type=external_gte}: a dedup summary (same id, larger count) overwrites the first
 * alert, while a stale copy arriving late (a retry after the summary) is refused with 409 and
 * counted as delivered, because a newer version is already there.
 *
 * <p>Every item of a bulk response is checked: 409 is delivered, 429 and 5xx are temporary, any
 * other error (a mapping conflict) is permanent. A request that does not reach the cluster, or a
 * 429/5xx answer to the whole request, is temporary. Put a {@link dev.peregrine.alerting.spool.SpoolingSink}
 * in front for batching, retries and the spool.
 *
 * <p>The index template ({@code index-template.json}, explicit mappings for {@code index*}) is
 * installed by {@link #installTemplate()} at start-up, and again before the first bulk request if
 * the cluster was down then. A concrete index, not a data stream: data streams refuse to
 * overwrite a document by id.
 */
public final class ElasticsearchSink implements BatchAlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSink.class);
    private static final String TEMPLATE_RESOURCE = "index-template.json";

    private final ElasticsearchConfig config;
    private final ElasticsearchTransport transport;
    private final ElasticsearchClient client;
    private final EcsDocument ecs = new EcsDocument();
    private boolean templateInstalled;

    /** A sink with its own low-level REST client for {@code config.url()}. */
    public ElasticsearchSink(final ElasticsearchConfig config) {
        this.config = config;
        final List<Header> headers = new ArrayList<>();
        config.apiKey().ifPresent(key -> headers.add(new BasicHeader("Authorization", "ApiKey " + key)));
        final RestClient rest = RestClient.builder(HttpHost.create(config.url().toString()))
                .setDefaultHeaders(headers.toArray(new Header[0]))
                .setRequestConfigCallback(request -> request
                        .setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setSocketTimeout((int) config.requestTimeout().toMillis()))
                .build();
        // documents go out as ready-made bytes and responses are the client's own types: no data binding needed
        this.transport = new RestClientTransport(rest, new SimpleJsonpMapper());
        this.client = new ElasticsearchClient(transport);
    }

    /**
     * Installs (or replaces) the index template. Safe to call when the cluster is down: the
     * failure is thrown as temporary and the template is installed before the first bulk request.
     */
    public void installTemplate() throws IOException {
        try (InputStream template = EcsDocument.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (template == null) {
                throw new IllegalStateException(TEMPLATE_RESOURCE + " missing from the classpath");
            }
            client.indices().putIndexTemplate(t -> t.withJson(template)
                    .name(config.index())
                    .indexPatterns(config.index() + "*"));
            templateInstalled = true;
            LOG.info("Elasticsearch {}: index template '{}' installed for {}*", config.url(), config.index(),
                    config.index());
        } catch (final ElasticsearchException e) {
            throw classify("installing the index template", e.status(), e.getMessage(), e);
        } catch (final ResponseException e) {
            throw classify("installing the index template", e.getResponse().getStatusLine().getStatusCode(),
                    firstLine(e.getMessage()), e);
        } catch (final IOException | RuntimeException e) {
            throw new TemporaryDeliveryException("Elasticsearch " + config.url() + ": installing the index template: "
                    + e, e);
        }
    }

    /** Whether {@code /_cluster/health} answers green or yellow. */
    public boolean healthy() {
        try {
            return client.cluster().health().status() != HealthStatus.Red;
        } catch (final IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public List<DeliveryResult> deliverAll(final List<Alert> alerts) throws IOException {
        if (alerts.isEmpty()) {
            return List.of();
        }
        if (!templateInstalled) {
            installTemplate();
        }
        final BulkRequest.Builder bulk = new BulkRequest.Builder();
        for (final Alert alert : alerts) {
            final BinaryData document = BinaryData.of(ecs.toJson(alert), ContentType.APPLICATION_JSON);
            bulk.operations(op -> op.index(index -> index.index(config.index()).id(alert.id())
                    .version(Math.max(1, alert.count())).versionType(VersionType.ExternalGte)
                    .document(document)));
        }
        final BulkResponse response;
        try {
            response = client.bulk(bulk.build());
        } catch (final ElasticsearchException e) {
            throw classify("bulk of " + alerts.size(), e.status(), e.getMessage(), e);
        } catch (final ResponseException e) {
            // the low-level client reports some error statuses itself, before the typed layer sees them
            throw classify("bulk of " + alerts.size(), e.getResponse().getStatusLine().getStatusCode(),
                    firstLine(e.getMessage()), e);
        } catch (final IOException | RuntimeException e) {
            throw new TemporaryDeliveryException("Elasticsearch " + config.url() + ": bulk of " + alerts.size()
                    + ": " + e, e);
        }
        final List<BulkResponseItem> items = response.items();
        if (items.size() != alerts.size()) {
            throw new TemporaryDeliveryException("Elasticsearch " + config.url() + ": " + alerts.size()
                    + " operations sent but " + items.size() + " results");
        }
        final List<DeliveryResult> results = new ArrayList<>(items.size());
        for (final BulkResponseItem item : items) {
            results.add(resultOf(item));
        }
        return results;
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    /** The configuration this sink was made with. */
    public ElasticsearchConfig config() {
        return config;
    }

    private static DeliveryResult resultOf(final BulkResponseItem item) {
        final ErrorCause error = item.error();
        if (error == null) {
            return DeliveryResult.delivered();
        }
        final int status = item.status();
        final String reason = "HTTP " + status + " " + error.type() + ": " + error.reason();
        if (status == 409) {
            // external_gte refused an older count: the newer summary is already indexed
            return DeliveryResult.delivered();
        }
        if (status == 429 || status >= 500) {
            return DeliveryResult.temporary(reason);
        }
        return DeliveryResult.permanent(reason);
    }

    private IOException classify(final String what, final int status, final String detail, final Exception e) {
        final String message = "Elasticsearch " + config.url() + ": " + what + ": HTTP " + status + " " + detail;
        if (status == 429 || status >= 500) {
            return new TemporaryDeliveryException(message, e);
        }
        return new PermanentDeliveryException(message, e);
    }

    private static String firstLine(final String text) {
        if (text == null) {
            return "";
        }
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
