package dev.peregrine.app;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_REMOTE_ADDR;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.BearerTokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} behind the bearer tokens of {@link EndpointSecurity}: a scrape without one of
 * them (no token, a wrong one, or an agent's ingest token) gets {@code 401}.
 * Each refusal is counted by status, logged (once per client address at WARN, then at DEBUG, so a
 * misconfigured scraper does not flood the log) and recorded as a {@code platform_access} event
 * ({@code platform.op=metrics}) that the shipped {@code platform_access_denied} rule alerts on.
 * Served scrapes are counted, not audited: Prometheus reads every 15 s.
 */
final class MetricsAccess implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsAccess.class);
    /** Client addresses whose refusals were logged at WARN; bounded, since addresses are the client's to choose. */
    private static final int MAX_WARNED = 1_000;

    private final HttpHandler metrics;
    private final EndpointSecurity security;
    private final BearerTokens tokens;
    private final Clock clock;
    private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param metrics  what serves the metrics once a request may read them
     * @param security who may read them, and where refusals are recorded
     * @param clock    the time of audit events
     */
    MetricsAccess(final HttpHandler metrics, final EndpointSecurity security, final Clock clock) {
        this.metrics = metrics;
        this.security = security;
        this.tokens = new BearerTokens(security.metricsTokens());
        this.clock = clock;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        if (security.metricsOpen() || tokens.authenticate(exchange).isPresent()) {
            count(200);
            metrics.handle(exchange);
            return;
        }
        try (exchange) {
            try (InputStream in = exchange.getRequestBody()) {
                in.readNBytes(4096); // a scrape has no body; read what there is so the connection can be reused
            }
            final String remote = remote(exchange);
            count(401);
            refused(remote, exchange.getRequestHeaders().containsKey("Authorization"));
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            final byte[] body = ("{\"error\":\"unauthorized\",\"message\":\"send the metrics token or an operator "
                    + "token as 'Authorization: Bearer <token>', or open the metrics with http.metrics_open\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Requests to {@code /metrics} by answer: 200 served, 401 refused. */
    Map<Integer, Long> requestsByStatus() {
        final Map<Integer, Long> counts = new TreeMap<>();
        byStatus.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }

    private void count(final int status) {
        byStatus.computeIfAbsent(status, key -> new AtomicLong()).incrementAndGet();
    }

    private void refused(final String remote, final boolean presentedToken) {
        final String reason = presentedToken ? "a token that may not read the metrics" : "no token";
        final String host = remote.contains(":") ? remote.substring(0, remote.lastIndexOf(':')) : remote;
        if (warned.size() < MAX_WARNED && warned.add(host)) {
            LOG.warn("refused a /metrics request from {} ({}); further refusals from there are logged at debug",
                    remote, reason);
        } else {
            LOG.debug("refused a /metrics request from {} ({})", remote, reason);
        }
        final Instant now = clock.instant();
        security.audit().accept(Event.builder()
                .time(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                .set(EVT_SOURCE, "agent")
                .set(EVT_TYPE, "platform_access")
                .set(PLATFORM_OP, "metrics")
                .set(PLATFORM_OUTCOME, "unauthorized")
                .set(PLATFORM_REMOTE_ADDR, remote)
                .extra("metrics.reason", reason)
                .build());
    }

    private static String remote(final HttpExchange exchange) {
        final InetSocketAddress address = exchange.getRemoteAddress();
        return address == null ? "unknown" : address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
