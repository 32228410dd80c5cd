package dev.peregrine.alerting.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how {@link WebhookSink} posts.
 *
 * @param url            the webhook URL
 * @param format         body format
 * @param connectTimeout TCP/TLS connect timeout
 * @param requestTimeout time allowed for one request until the response headers arrive
 * @param maxAttempts    attempts per alert, the first included
 * @param initialBackoff wait before the second attempt; doubles per attempt
 * @param maxBackoff     cap on one wait, also on a server's {@code Retry-After}
 * @param headers        extra request headers (e.g. {@code Authorization})
 */
public record WebhookConfig(URI url, WebhookFormat format, Duration connectTimeout, Duration requestTimeout,
                            int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                            Map<String, String> headers) {

    public WebhookConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** 5 s connect, 10 s request, 5 attempts, backoff from 500 ms doubling up to 30 s. */
    public static WebhookConfig of(final URI url, final WebhookFormat format) {
        return new WebhookConfig(url, format, Duration.ofSeconds(5), Duration.ofSeconds(10), 5,
                Duration.ofMillis(500), Duration.ofSeconds(30), Map.of());
    }

    /** A copy with other retry settings. */
    public WebhookConfig withRetries(final int newMaxAttempts, final Duration newInitialBackoff,
                                     final Duration newMaxBackoff) {
        return new WebhookConfig(url, format, connectTimeout, requestTimeout, newMaxAttempts, newInitialBackoff,
                newMaxBackoff, headers);
    }

    /** A copy with other timeouts. */
    public WebhookConfig withTimeouts(final Duration newConnectTimeout, final Duration newRequestTimeout) {
        return new WebhookConfig(url, format, newConnectTimeout, newRequestTimeout, maxAttempts, initialBackoff,
                maxBackoff, headers);
    }
}
