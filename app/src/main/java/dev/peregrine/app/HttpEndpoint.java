package dev.peregrine.app;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.app.console.Console;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.MemoryCheckHandler;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Peregrine's one HTTP server (spec §5): {@code /metrics} always, and, when ingest is on,
 * {@code POST /v1/events} and {@code /healthz} of the {@link IngestServer} and
 * {@code POST /v1/memory/check} ({@link MemoryCheckHandler}) under the same tokens, and the analyst
 * {@link Console} (its API and page) when there is one.
 */
final class HttpEndpoint implements AutoCloseable {

    /** Enough threads that a slow client or a scrape never holds up ingest; requests are short. */
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(final HttpServer server, final ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the server on {@code host:port}; {@code ingest} and {@code memoryCheck} may be null. */
    static HttpEndpoint start(final String host, final int port, final PrometheusRegistry registry,
                              final IngestServer ingest, final MemoryCheckHandler memoryCheck) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        final AtomicInteger threads = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            final Thread thread = new Thread(runnable, "peregrine-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", new MetricsHandler(registry));
        if (ingest != null) {
            ingest.mount(server);
        }
        if (memoryCheck != null) {
            server.createContext(MemoryCheckHandler.PATH, memoryCheck);
        }
        server.start();
        return new HttpEndpoint(server, executor);
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

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
