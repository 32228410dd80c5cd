package dev.peregrine.alerting.webhook;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.TemporaryDeliveryException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * POSTs each alert as JSON to a webhook ({@link WebhookFormat}), retrying temporary failures.
 *
 * <p>Temporary: 5xx, 429, connect errors, timeouts — retried up to {@code maxAttempts} with
 * exponential backoff ({@code initialBackoff × 2^n}, capped at {@code maxBackoff}) and equal
 * jitter (a wait is between half and all of that), or the server's {@code Retry-After} seconds
 * when given (capped too); when attempts run out a {@link TemporaryDeliveryException} is thrown
 * so the pipeline can spool the alert. Permanent: any other non-2xx status (400, 401, 404, a
 * redirect) — not retried, {@link PermanentDeliveryException}.
 *
 * <p>Not thread-safe: like every {@link AlertSink}, called from one thread at a time.
 */
public final class WebhookSink implements AlertSink {

    private static final int MAX_BODY_IN_MESSAGE = 200;

    private final WebhookConfig config;
    private final HttpClient client;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final AlertJson alertJson = new AlertJson();
    private final SlackMessage slack = new SlackMessage();
    private long delivered;
    private long retried;
    private long failed;

    /** A sink with its own HTTP client, sleeping for real between retries. */
    public WebhookSink(final WebhookConfig config) {
        this(config, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), Sleeper.REAL, new Random());
    }

    /** A sink with injected collaborators: tests pass a recording sleeper and a seeded random. */
    public WebhookSink(final WebhookConfig config, final HttpClient client, final Sleeper sleeper,
                       final RandomGenerator random) {
        this.config = config;
        this.client = client;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** The request body for {@code alert} in the configured format. */
    public String body(final Alert alert) {
        return config.format() == WebhookFormat.SLACK ? slack.toJson(alert) : alertJson.toJson(alert);
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(config.url())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body(alert), StandardCharsets.UTF_8));
        for (final Map.Entry<String, String> header : config.headers().entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        final HttpRequest request = builder.build();
        TemporaryDeliveryException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            final HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                failed++;
                throw new TemporaryDeliveryException("webhook " + config.url() + ": interrupted", e);
            } catch (final IOException e) {
                // connect refused, reset, timeout: the endpoint may be back in a moment
                last = new TemporaryDeliveryException("webhook " + config.url() + ": " + e, e);
                pauseBeforeRetry(attempt, OptionalLong.empty(), last);
                continue;
            }
            final int status = response.statusCode();
            if (status >= 200 && status < 300) {
                delivered++;
                return;
            }
            final String problem = "webhook " + config.url() + ": HTTP " + status + snippet(response.body());
            if (status != 429 && status < 500) {
                failed++;
                throw new PermanentDeliveryException(problem);
            }
            last = new TemporaryDeliveryException(problem);
            pauseBeforeRetry(attempt, retryAfter(response), last);
        }
        failed++;
        throw last;
    }

    /** Alerts the webhook accepted (2xx). */
    public long delivered() {
        return delivered;
    }

    /** Retries made, over all alerts. */
    public long retried() {
        return retried;
    }

    /** Alerts given up on: permanent failures, and temporary ones after the last attempt. */
    public long failed() {
        return failed;
    }

    /** The wait after failed attempt {@code attempt} (1-based), before jitter is applied to it. */
    Duration backoff(final int attempt, final OptionalLong retryAfterSeconds) {
        final Duration cap = config.maxBackoff();
        if (retryAfterSeconds.isPresent()) {
            final Duration asked = Duration.ofSeconds(Math.max(0, retryAfterSeconds.getAsLong()));
            return asked.compareTo(cap) > 0 ? cap : asked;
        }
        final long initial = config.initialBackoff().toNanos();
        final int shift = Math.min(attempt - 1, 62);
        final long exponential = initial > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : initial << shift;
        final long capped = Math.min(exponential, cap.toNanos());
        // equal jitter: spreads a fleet's retries yet never retries immediately
        final long half = capped / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    /** Waits before the next attempt, unless {@code attempt} was the last. */
    private void pauseBeforeRetry(final int attempt, final OptionalLong retryAfterSeconds,
                                 final TemporaryDeliveryException pending) throws IOException {
        if (attempt >= config.maxAttempts()) {
            return;
        }
        retried++;
        try {
            sleeper.sleep(backoff(attempt, retryAfterSeconds));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            failed++;
            pending.addSuppressed(e);
            throw pending;
        }
    }

    private static OptionalLong retryAfter(final HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::trim).filter(v -> v.matches("\\d{1,9}"))
                .map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
    }

    private static String snippet(final String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        final String trimmed = body.strip();
        return " " + (trimmed.length() > MAX_BODY_IN_MESSAGE ? trimmed.substring(0, MAX_BODY_IN_MESSAGE) + "…"
                : trimmed);
    }
}
