package dev.peregrine.app;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Peregrine a hook talks to in tests: a real ingest server on a port of 127.0.0.1 reserved
 * up front, so a hook can be pointed at it while it is still down.
 */
final class HookIngest implements AutoCloseable {

    static final String TOKEN = "hook-token-0123456789abcdef";

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final BlockingQueue<Rejection> rejections = new LinkedBlockingQueue<>();
    final int port;
    private IngestServer server;
    private Thread reader;

    HookIngest() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Peregrine comes up (again, after {@link #close}), taking {@link #TOKEN}. */
    void start() throws IOException {
        server = new IngestServer(List.of(new TokenBinding("laptop", TOKEN, IdentityPattern.ANY)),
                IngestLimits.DEFAULTS, violation -> { });
        server.listen(new InetSocketAddress("127.0.0.1", port));
        final SourceListener listener = new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                rejections.add(rejection);
            }
        };
        reader = new Thread(() -> {
            try {
                server.read(listener);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "hook-test-reader");
        reader.start();
    }

    /** Lines the running server has taken so far, counted before it answers. */
    long accepted() {
        return server.stats().eventsAccepted();
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.close();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            server = null;
        }
    }
}
