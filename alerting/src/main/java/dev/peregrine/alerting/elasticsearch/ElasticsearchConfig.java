package dev.peregrine.alerting.elasticsearch;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how {@link ElasticsearchSink} indexes.
 *
 * @param url            the cluster, e.g. {@code http://127.0.0.1:9200}
 * @param index          the index alerts go to; the index template covers {@code index*}
 * @param apiKey         an encoded API key sent as {@code Authorization: ApiKey …}, or empty
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout socket timeout of one request
 */
public record ElasticsearchConfig(URI url, String index, Optional<String> apiKey, Duration connectTimeout,
                                  Duration requestTimeout) {

    /** The index used unless configured otherwise. */
    public static final String DEFAULT_INDEX = "peregrine-alerts";

    public ElasticsearchConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (index.isBlank() || !index.equals(index.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("index must be a non-empty lower-case name: '" + index + "'");
        }
    }

    /** Index {@value #DEFAULT_INDEX}, no API key, 5 s connect and 30 s request timeouts. */
    public static ElasticsearchConfig of(final URI url) {
        return new ElasticsearchConfig(url, DEFAULT_INDEX, Optional.empty(), Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    }

    /** A copy writing to another index. */
    public ElasticsearchConfig withIndex(final String newIndex) {
        return new ElasticsearchConfig(url, newIndex, apiKey, connectTimeout, requestTimeout);
    }

    /** A copy authenticating with an API key. */
    public ElasticsearchConfig withApiKey(final String encodedApiKey) {
        return new ElasticsearchConfig(url, index, Optional.of(encodedApiKey), connectTimeout, requestTimeout);
    }

    /** A copy with other timeouts. */
    public ElasticsearchConfig withTimeouts(final Duration newConnectTimeout, final Duration newRequestTimeout) {
        return new ElasticsearchConfig(url, index, apiKey, newConnectTimeout, newRequestTimeout);
    }
}
