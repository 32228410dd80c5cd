package dev.peregrine.app;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.app.console.Console;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.MemoryCheckHandler;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Peregrine's one HTTP server (spec §5): {@code /metrics} always, and, when ingest is on,
 * {@code POST /v1/events} and {@code /healthz} of the {@link IngestServer} and
 * {@code POST /v1/memory/check} ({@link MemoryCheckHandler}) under the same tokens, and the analyst
 * {@link Console} (its API and page) when there is one. HTTPS when {@link EndpointSecurity} has a TLS
 * context (TLS 1.3 and 1.2 only); {@code /metrics} behind tokens unless opened ({@link MetricsAccess}).
 */
final class HttpEndpoint implements AutoCloseable {

    /** Enough threads that a slow client or a scrape never holds up ingest; requests are short. */
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;
    private final EndpointSecurity security;

    private HttpEndpoint(final HttpServer server, final ExecutorService executor, final EndpointSecurity security) {
        this.server = server;
        this.executor = executor;
        this.security = security;
    }

    /**
     * Starts the server on {@code host:port}, protected as {@code security} says; {@code ingest} and
     * {@code memoryCheck} may be null. Requests to {@code /metrics} are counted in {@code registry} as
     * {@code peregrine_metrics_requests_total{status}}.
     */
    static HttpEndpoint start(final String host, final int port, final PrometheusRegistry registry,
                              final IngestServer ingest, final MemoryCheckHandler memoryCheck,
                              final EndpointSecurity security) throws IOException {
        final HttpServer server = create(new InetSocketAddress(host, port), security);
        final AtomicInteger threads = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            final Thread thread = new Thread(runnable, "peregrine-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        final MetricsAccess metrics = new MetricsAccess(new MetricsHandler(registry), security, Clock.systemUTC());
        CounterWithCallback.builder().name("peregrine_metrics_requests_total")
                .help("Requests to /metrics by HTTP status: 200 served, 401 refused for want of a metrics or "
                        + "operator token")
                .labelNames("status")
                .callback(callback -> metrics.requestsByStatus()
                        .forEach((status, count) -> callback.call(count, Integer.toString(status))))
                .register(registry);
        server.createContext("/metrics", metrics);
        if (ingest != null) {
            ingest.mount(server);
        }
        if (memoryCheck != null) {
            server.createContext(MemoryCheckHandler.PATH, memoryCheck);
        }
        server.start();
        return new HttpEndpoint(server, executor, security);
    }

    /** A plain HTTP server, or an HTTPS one speaking only {@link TlsIdentity#PROTOCOLS}. */
    private static HttpServer create(final InetSocketAddress address, final EndpointSecurity security)
            throws IOException {
        if (security.tls().isEmpty()) {
            return HttpServer.create(address, 0);
        }
        final SSLContext context = security.tls().get();
        final HttpsServer server = HttpsServer.create(address, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(final HttpsParameters parameters) {
                final SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setProtocols(TlsIdentity.PROTOCOLS.toArray(new String[0]));
                parameters.setSSLParameters(ssl);
            }
        });
        return server;
    }

    /** Serves {@code path} with {@code handler} from now on (e.g. {@code POST /v1/rules/reload}, once the engine is up). */
    void mount(final String path, final HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** Serves the analyst console's API ({@code /v1/alerts}, {@code /v1/agents}, {@code /v1/suppressions}) and page ({@code /}). */
    void mount(final Console console) {
        console.mount(server);
    }

    /** The port listened on (the chosen one when 0 was asked for). */
    int port() {
        return server.getAddress().getPort();
    }

    /** {@code https} or {@code http}: how clients reach this endpoint. */
    String scheme() {
        return security.scheme();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
