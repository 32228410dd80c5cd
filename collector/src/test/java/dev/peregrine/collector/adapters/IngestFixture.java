package dev.peregrine.collector.adapters;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityViolation;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.IngestStats;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link IngestServer} on 127.0.0.1 with a reader thread, for tests that post ecosystem
 * payloads over HTTP and look at the events that come out; and the shipped example payloads.
 */
public final class IngestFixture implements SourceListener, AutoCloseable {

    private static final IngestLimits LIMITS = new IngestLimits(256 * 1024, 64 * 1024, 1_000, 10_000, 10_000, 100);

    /** Events taken, in order. */
    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Rejections taken, in order. */
    public final BlockingQueue<Rejection> rejections = new LinkedBlockingQueue<>();
    /** Identity violations reported. */
    public final List<IdentityViolation> violations = new CopyOnWriteArrayList<>();

    private final HttpClient client = HttpClient.newHttpClient();
    private final IngestServer server;
    private final URI base;
    private final Thread reader;

    /** Starts a server accepting {@code tokens}, with {@link IngestServer#defaultAdapters()}. */
    public IngestFixture(final List<TokenBinding> tokens) throws IOException {
        this(tokens, IngestServer.defaultAdapters());
    }

    /** Starts a server accepting {@code tokens}, with the default adapters and {@code limits}. */
    public IngestFixture(final List<TokenBinding> tokens, final IngestLimits limits) throws IOException {
        this(tokens, limits, IngestServer.defaultAdapters());
    }

    /** Starts a server accepting {@code tokens}, taking the formats of {@code adapters}. */
    public IngestFixture(final List<TokenBinding> tokens, final List<PayloadAdapter> adapters) throws IOException {
        this(tokens, LIMITS, adapters);
    }

    private IngestFixture(final List<TokenBinding> tokens, final IngestLimits limits,
                          final List<PayloadAdapter> adapters) throws IOException {
        server = new IngestServer(tokens, limits, violations::add, adapters);
        final InetSocketAddress address = server.listen(new InetSocketAddress("127.0.0.1", 0));
        base = URI.create("http://127.0.0.1:" + address.getPort());
        reader = new Thread(() -> {
            try {
                server.read(this);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "adapter-test-reader");
        reader.start();
    }

    /** An example payload shipped under {@code examples/integrations/}. */
    public static byte[] example(final String relative) throws IOException {
        // Surefire runs in the module folder; the examples live at the top of the checkout.
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/integrations"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IOException("examples/integrations not found above " + Path.of("").toAbsolutePath());
        }
        return Files.readAllBytes(dir.resolve("examples/integrations").resolve(relative));
    }

    /** POSTs {@code body} to {@code path} with {@code token}. */
    public HttpResponse<String> post(final String path, final String token, final byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
    }

    /**
     * POSTs {@code body} to {@code path} with {@code token} as {@code contentType}, with a
     * {@code Content-Encoding} unless {@code encoding} is {@code null}; the answer's body as bytes.
     */
    public HttpResponse<byte[]> post(final String path, final String token, final String contentType,
                                     final String encoding, final byte[] body) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .POST(BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return client.send(request.build(), BodyHandlers.ofByteArray());
    }

    /** The server's request and rejection counters. */
    public IngestStats stats() {
        return server.stats();
    }

    /** The next {@code count} events taken; fails when they do not come. */
    public List<Event> take(final int count) throws InterruptedException {
        final List<Event> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final Event event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("expected " + count + " events, got " + taken);
            }
            taken.add(event);
        }
        return taken;
    }

    /** The next rejection taken; fails when none comes. */
    public Rejection takeRejection() throws InterruptedException {
        final Rejection rejection = rejections.poll(10, TimeUnit.SECONDS);
        if (rejection == null) {
            throw new AssertionError("expected a rejection");
        }
        return rejection;
    }

    @Override
    public void onEvent(final Event event) {
        events.add(event);
    }

    @Override
    public void onRejected(final Rejection rejection) {
        rejections.add(rejection);
    }

    /** Stops the server; everything taken has been read when this returns. */
    @Override
    public void close() throws InterruptedException {
        server.close();
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }
}
