package dev.peregrine.app;

import com.sun.net.httpserver.HttpExchange;
import dev.peregrine.app.config.PeregrineConfig;
import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The HTTP endpoint of the distributed commands (collector, engine, alerter): run's
 * {@code --http-host}/{@code --http-port}, on the one {@link HttpEndpoint}, with a port of each
 * command's own by default so that all three and run fit on one host.
 */
final class HttpOptions {

    /** {@code GET /healthz} of a command without the ingest API (which answers it itself). */
    static final String HEALTH_PATH = IngestServer.HEALTH_PATH;

    private static final Logger LOG = LoggerFactory.getLogger(HttpOptions.class);

    @Option(names = "--http-port", paramLabel = "PORT",
            description = {"Port of the HTTP endpoint (/metrics, /healthz; the ingest API with --ingest); 0 turns it "
                    + "off. Default: 8767 (collector), 8768 (engine), 8769 (alerter)."})
    Integer httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "${env:PEREGRINE_HTTP_HOST:-127.0.0.1}",
            description = "Address the HTTP endpoint listens on (env PEREGRINE_HTTP_HOST). Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--metrics-open",
            description = {"Serve /metrics without a token. Default: /metrics needs the token in PEREGRINE_METRICS_TOKEN "
                    + "(without one, a token is generated and printed at start)."})
    boolean metricsOpen;

    @Mixin
    TlsOptions tlsOptions = new TlsOptions();

    /** The certificate and key of the config file's http.tls, when a command reads one and --tls-cert was not given. */
    private TlsIdentity configuredTls;

    /** The dedicated /metrics token: http.metrics_token of a config file, else PEREGRINE_METRICS_TOKEN. */
    private String metricsToken = System.getenv("PEREGRINE_METRICS_TOKEN");

    /** Takes what the command line did not give from a config file's {@code http} section. */
    void applyConfig(final PeregrineConfig.Http file, final ParseResult given) {
        if (!given.hasMatchedOption("--http-host")) {
            file.host().ifPresent(host -> httpHost = host);
        }
        if (!given.hasMatchedOption("--http-port")) {
            file.port().ifPresent(port -> httpPort = port);
        }
        if (!tlsOptions.given()) {
            file.tls().ifPresent(identity -> configuredTls = identity);
        }
        file.metricsToken().ifPresent(token -> metricsToken = token);
        if (!given.hasMatchedOption("--metrics-open")) {
            file.metricsOpen().ifPresent(open -> metricsOpen = open);
        }
    }

    /**
     * The endpoint's protection: TLS from --tls-cert/--tls-key or the config file, /metrics for the
     * metrics token and {@code operators} (ingest tokens bound to no identity) unless --metrics-open,
     * refused scrapes recorded with {@code audit}.
     */
    EndpointSecurity security(final List<TokenBinding> operators, final Consumer<Event> audit) {
        final Optional<TlsIdentity> tls = tlsOptions.given() ? Optional.of(tlsOptions.identity())
                : Optional.ofNullable(configuredTls);
        return EndpointSecurity.of(tls, metricsOpen, Optional.ofNullable(metricsToken), operators, audit,
                new PrintWriter(System.err, true));
    }

    /** The port asked for, or {@code defaultPort}. */
    int port(final int defaultPort) {
        return httpPort == null ? defaultPort : httpPort;
    }

    /**
     * Starts the endpoint serving {@code registry} at {@code /metrics} and, without {@code ingest},
     * {@code /healthz} answering 200 while {@code healthy} holds and 503 otherwise; with
     * {@code ingest}, its API and its own {@code /healthz}. Null when the port is 0.
     */
    HttpEndpoint start(final int defaultPort, final PrometheusRegistry registry, final IngestServer ingest,
                       final BooleanSupplier healthy) {
        if (port(defaultPort) == 0) {
            return null;
        }
        // refused scrapes are counted and logged; engine and alerter have no platform source to audit them in
        return start(defaultPort, registry, ingest, healthy, security(List.of(), event -> { }));
    }

    /** As {@link #start(int, PrometheusRegistry, IngestServer, BooleanSupplier)}, with the caller's security (the collector's with ingest, run's for {@code run --kafka}). */
    HttpEndpoint start(final int defaultPort, final PrometheusRegistry registry, final IngestServer ingest,
                       final BooleanSupplier healthy, final EndpointSecurity security) {
        final int port = port(defaultPort);
        if (port == 0) {
            return null;
        }
        final HttpEndpoint endpoint;
        try {
            endpoint = HttpEndpoint.start(httpHost, port, registry, ingest, null, security);
        } catch (final IOException e) {
            throw new UsageException("cannot listen on " + httpHost + ":" + port + " (" + e.getMessage()
                    + "); choose another --http-port, or 0 to turn the endpoint off");
        }
        if (ingest == null) {
            endpoint.mount(HEALTH_PATH, exchange -> answerHealth(exchange, healthy.getAsBoolean()));
        }
        LOG.info("metrics at {}://{}:{}/metrics{}", endpoint.scheme(), httpHost, endpoint.port(),
                ingest == null ? "" : ", ingest at POST " + IngestServer.EVENTS_PATH);
        return endpoint;
    }

    private static void answerHealth(final HttpExchange exchange, final boolean healthy) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] body = (healthy ? "ok\n" : "unavailable\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(healthy ? 200 : 503, -1);
                return;
            }
            exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
