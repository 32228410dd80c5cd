package dev.peregrine.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.PayloadAdapter;
import dev.peregrine.collector.adapters.claudecode.ClaudeCodeHookAdapter;
import dev.peregrine.collector.adapters.litellm.LiteLlmAdapter;
import dev.peregrine.collector.adapters.otel.OtlpAdapter;
import dev.peregrine.collector.adapters.otel.OtlpLogAdapter;
import dev.peregrine.collector.adapters.otel.OtlpTraceAdapter;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated HTTP ingest API as an {@link EventSource}: events clients {@code POST} come
 * out of {@link #read} like those of any other source, into the same pipeline.
 *
 * <h2>Endpoints</h2>
 * {@code POST /v1/events} with {@code Authorization: Bearer <token>} and a body of NDJSON
 * (native or agent events, spec §2.1/§2.2, decided per line) or a JSON array of such objects.
 * Agent-ecosystem formats are posted to their own paths and mapped onto events by a
 * {@link PayloadAdapter} ({@link #defaultAdapters()}: Claude Code hooks at
 * {@value ClaudeCodeHookAdapter#PATH}, OTLP/HTTP traces at {@value OtlpTraceAdapter#PATH} and logs at
 * {@value OtlpLogAdapter#PATH},
 * LiteLLM logs at {@value LiteLlmAdapter#PATH}); from there on they take the same path as
 * {@code /v1/events}: token, limits, identity check, queue, and the answers below, with
 * "lines" being the adapter's records (a payload, a span, a log record). A body whose records
 * are all of no interest to Peregrine (spans of no GenAI operation) is a 200 that takes nothing.
 * An adapter's fallback {@code agent.id} is set on events that still have none after the token's
 * binding filled them, when the binding allows it.
 * An {@link OtlpAdapter}'s path reads the body by its {@code Content-Type}: {@value OtlpAdapter#JSON}
 * (or none) as OTLP/HTTP JSON, {@value OtlpAdapter#PROTOBUF} as protobuf, anything else is a 415;
 * a protobuf request is answered in protobuf (below). Every path takes {@code Content-Encoding: gzip}
 * (what OTLP exporters send by default), its limit applying to the body once decompressed too.
 * {@code GET /healthz} answers {@code 200 {"status":"ok",…}} (no token needed; 503 once closed).
 * Mount both on a server the application owns ({@link #mount}), or let this class own one
 * ({@link #listen}).
 *
 * <h2>Answers to {@code POST /v1/events}</h2>
 * The body is JSON: {@code {"accepted":N,"rejected":M,"errors":[{"line":L,"reason":"…","message":"…"}]}}
 * (errors are listed up to {@link IngestLimits#maxErrorsListed()}; lines of an array body are
 * its elements). Checked in this order:
 * <table>
 *   <caption>status codes</caption>
 *   <tr><td>405</td><td>not a POST</td></tr>
 *   <tr><td>401</td><td>no bearer token, or one that is not configured</td></tr>
 *   <tr><td>503</td><td>the source is closed</td></tr>
 *   <tr><td>415</td><td>a {@code Content-Type} the path does not read, or a {@code Content-Encoding} other
 *       than gzip</td></tr>
 *   <tr><td>413</td><td>body over {@link IngestLimits#maxBodyBytes()} (by Content-Length, before reading, while
 *       reading, or while decompressing)</td></tr>
 *   <tr><td>429</td><td>the token's rate is used up ({@code Retry-After} says when to come back), or the queue
 *       cannot take the whole request (backpressure, {@code Retry-After: 1}); nothing of the request is taken</td></tr>
 *   <tr><td>403</td><td>an event claims an identity the token is not bound to: nothing of the request is taken;
 *       the violating lines (and any malformed ones) are dead-lettered, each violation goes to the
 *       {@link IdentityViolationListener}</td></tr>
 *   <tr><td>400</td><td>no line became an event (all rejected, or an empty body)</td></tr>
 *   <tr><td>207</td><td>some lines became events and were taken, others were rejected (see {@code errors});
 *       on the OTLP paths a 200, as OTLP/HTTP requires, with the rejected count in the body</td></tr>
 *   <tr><td>200</td><td>every line became an event and was taken</td></tr>
 * </table>
 * A request is taken whole or not at all: after a 200 or 207 every accepted event comes out of
 * {@link #read} exactly once, in body order, and after any other status none does, so a client
 * retries 429s and 5xx as they are. Rejected lines of a 207 or 400 go to the listener as
 * {@link Rejection}s (source {@value #NAME}, message naming the token and client), to be
 * dead-lettered like any source's. A gzip body that does not decompress is one such rejected
 * line (a 400). Rejections of a protobuf body keep its bytes in base64.
 *
 * <h2>Answers in protobuf</h2>
 * A protobuf OTLP request gets the same status codes with a protobuf body: after a 200 the
 * signal's export response ({@code ExportTraceServiceResponse}, {@code ExportLogsServiceResponse}),
 * with a {@code partial_success} counting the rejected records and naming the first when there are
 * any; after any other status a {@code google.rpc.Status} with the message.
 *
 * <h2>Identity</h2>
 * Each token is bound to an {@link IdentityPattern}: events that lack {@code agent.id},
 * {@code agent.session} or {@code sandbox.id} get them from the binding's literal patterns;
 * events that claim a value outside the binding are refused as above.
 *
 * <h2>Memory</h2>
 * Bodies are bounded, and the queue holds at most {@link IngestLimits#queueCapacity()} events
 * and rejections over all clients: a slow pipeline makes clients wait (429), not the heap grow.
 */
public final class IngestServer implements EventSource {

    /** The source name, in metrics and dead-letter records. */
    public static final String NAME = "http-ingest";

    /** Where events are posted. */
    public static final String EVENTS_PATH = "/v1/events";

    /** The liveness endpoint. */
    public static final String HEALTH_PATH = "/healthz";

    private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Object CLOSED = new Object();
    private static final int OWN_SERVER_THREADS = 4;

    private final Map<String, Bound> tokensByDigest = new HashMap<>();
    private final IngestLimits limits;
    private final IdentityViolationListener violations;
    private final Clock clock;
    private final IngestStats stats = new IngestStats();
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Semaphore capacity;
    private final Object enqueueLock = new Object();
    private final BodyParser bodies;
    private final Map<String, PayloadAdapter> adapters = new LinkedHashMap<>();
    private boolean closed;
    private HttpServer ownServer;
    private ExecutorService ownExecutor;

    /** A token with its rate limiter. */
    private record Bound(TokenBinding binding, TokenBucket bucket) {
    }

    /**
     * @param tokens     the tokens accepted, with their identities; names and tokens must be unique
     * @param limits     body, line, queue and rate bounds
     * @param violations told of every event refused for its identity (the {@code ingest_spoof} alert)
     */
    public IngestServer(final List<TokenBinding> tokens, final IngestLimits limits,
                        final IdentityViolationListener violations) {
        this(tokens, limits, violations, defaultAdapters());
    }

    /**
     * As {@link #IngestServer(List, IngestLimits, IdentityViolationListener)}, with the
     * ecosystem formats of {@code adapters} (each on its own {@link PayloadAdapter#path()}).
     */
    public IngestServer(final List<TokenBinding> tokens, final IngestLimits limits,
                        final IdentityViolationListener violations, final List<PayloadAdapter> adapters) {
        this(tokens, limits, violations, Clock.systemUTC(), System::nanoTime, adapters);
    }

    IngestServer(final List<TokenBinding> tokens, final IngestLimits limits,
                 final IdentityViolationListener violations, final Clock clock, final LongSupplier nanoTime) {
        this(tokens, limits, violations, clock, nanoTime, defaultAdapters());
    }

    IngestServer(final List<TokenBinding> tokens, final IngestLimits limits,
                 final IdentityViolationListener violations, final Clock clock, final LongSupplier nanoTime,
                 final List<PayloadAdapter> adapters) {
        for (final PayloadAdapter adapter : adapters) {
            if (adapter.path().equals(EVENTS_PATH) || adapter.path().equals(HEALTH_PATH)
                    || this.adapters.put(adapter.path(), adapter) != null) {
                throw new IllegalArgumentException("ingest path " + adapter.path() + " is taken twice");
            }
        }
        this.limits = Objects.requireNonNull(limits, "limits");
        this.violations = Objects.requireNonNull(violations, "violations");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = new Semaphore(limits.queueCapacity());
        this.bodies = new BodyParser(NAME, limits.maxLineBytes());
        final Map<String, String> names = new HashMap<>();
        for (final TokenBinding token : tokens) {
            if (names.put(token.name(), token.name()) != null) {
                throw new IllegalArgumentException("ingest token name '" + token.name() + "' is used twice");
            }
            final Bound previous = tokensByDigest.put(TokenBinding.digest(token.token()),
                    new Bound(token, new TokenBucket(limits.eventsPerSecond(), limits.burst(), nanoTime)));
            if (previous != null) {
                throw new IllegalArgumentException("ingest tokens '" + previous.binding().name() + "' and '"
                        + token.name() + "' have the same secret");
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The counters of this API. */
    public IngestStats stats() {
        return stats;
    }

    /** The bounds this API applies. */
    public IngestLimits limits() {
        return limits;
    }

    /** Events and rejections waiting for {@link #read}. */
    public int queued() {
        return limits.queueCapacity() - capacity.availablePermits();
    }

    /** The handler of {@value #EVENTS_PATH}. */
    public HttpHandler eventsHandler() {
        final Format ndjson = new Format((body, who) -> bodies.parse(body, body.length, who), null, false);
        return exchange -> handle(exchange, contentType -> ndjson);
    }

    /** Claude Code hooks, OTLP/HTTP traces and logs (JSON or protobuf), LiteLLM logs, each with its default identity keys. */
    public static List<PayloadAdapter> defaultAdapters() {
        return List.of(new ClaudeCodeHookAdapter(), new OtlpTraceAdapter(), new OtlpLogAdapter(), new LiteLlmAdapter());
    }

    /** The ecosystem formats this API takes, by path. */
    public Map<String, PayloadAdapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** The handler of an adapter's path: its format mapped onto events, then taken as {@value #EVENTS_PATH} takes them. */
    public HttpHandler adapterHandler(final PayloadAdapter adapter) {
        Objects.requireNonNull(adapter, "adapter");
        final boolean otlpAdapter = adapter instanceof OtlpAdapter;
        final Format json = new Format((body, who) -> adapt(adapter, adapter::adapt, body, who, false), null,
                otlpAdapter);
        if (!(adapter instanceof OtlpAdapter otlp)) {
            return exchange -> handle(exchange, contentType -> json);
        }
        final Format protobuf = new Format((body, who) -> adapt(adapter, otlp::adaptProtobuf, body, who, true), otlp,
                true);
        return exchange -> handle(exchange, contentType -> {
            final String media = mediaType(contentType);
            // No Content-Type at all has always been read as JSON; OTLP exporters always send one.
            return media == null || OtlpAdapter.JSON.equals(media) ? json
                    : OtlpAdapter.PROTOBUF.equals(media) ? protobuf : null;
        });
    }

    /** The media type of a {@code Content-Type} header without its parameters, lower case; {@code null} when absent. */
    private static String mediaType(final String contentType) {
        if (contentType == null) {
            return null;
        }
        final int semicolon = contentType.indexOf(';');
        final String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return media.isEmpty() ? null : media.toLowerCase(Locale.ROOT);
    }

    /** The handler of {@value #HEALTH_PATH}. */
    public HttpHandler healthHandler() {
        return this::handleHealth;
    }

    /**
     * Adds {@value #EVENTS_PATH}, {@value #HEALTH_PATH} and each adapter's path to {@code server},
     * which its owner starts and stops.
     */
    public void mount(final HttpServer server) {
        server.createContext(EVENTS_PATH, eventsHandler());
        server.createContext(HEALTH_PATH, healthHandler());
        for (final PayloadAdapter adapter : adapters.values()) {
            server.createContext(adapter.path(), adapterHandler(adapter));
        }
    }

    /**
     * Starts a server of this API's own on {@code address} (port 0: any free port), stopped by
     * {@link #close()}; returns the address it is bound to.
     */
    public InetSocketAddress listen(final InetSocketAddress address) throws IOException {
        synchronized (enqueueLock) {
            if (ownServer != null) {
                throw new IllegalStateException("already listening on " + ownServer.getAddress());
            }
            final HttpServer server = HttpServer.create(address, 0);
            final AtomicInteger threads = new AtomicInteger();
            ownExecutor = Executors.newFixedThreadPool(OWN_SERVER_THREADS, task -> {
                final Thread thread = new Thread(task, "peregrine-ingest-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(ownExecutor);
            mount(server);
            server.start();
            ownServer = server;
            return server.getAddress();
        }
    }

    /**
     * Hands queued events and rejections to {@code listener} until {@link #close()}, then the
     * ones still queued, then returns. One reader at a time.
     */
    @Override
    public void read(final SourceListener listener) throws IOException {
        try {
            while (true) {
                final Object item = queue.take();
                if (item == CLOSED) {
                    // Put back, so that a later read (or another reader) ends too.
                    queue.add(CLOSED);
                    return;
                }
                capacity.release();
                if (item instanceof Event event) {
                    listener.onEvent(event);
                } else {
                    listener.onRejected((Rejection) item);
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Refuses new requests (503), lets {@link #read} drain what was taken, and stops a server of its own. */
    @Override
    public void close() {
        final HttpServer server;
        final ExecutorService executor;
        synchronized (enqueueLock) {
            if (!closed) {
                closed = true;
                queue.add(CLOSED);
            }
            server = ownServer;
            executor = ownExecutor;
            ownServer = null;
            ownExecutor = null;
        }
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handleHealth(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final boolean open;
            synchronized (enqueueLock) {
                open = !closed;
            }
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (JsonGenerator json = JSON.createGenerator(body)) {
                json.writeStartObject();
                json.writeStringField("status", open ? "ok" : "closed");
                json.writeNumberField("queued", queued());
                json.writeNumberField("queue_capacity", limits.queueCapacity());
                json.writeEndObject();
            }
            send(exchange, open ? 200 : 503, body.toByteArray());
        }
    }

    /** What a body holds, given the body and who sent it. */
    private interface BodyReader extends BiFunction<byte[], String, Batch> {
    }

    /**
     * How a request's body is read and its answer written.
     *
     * @param reader   what the body holds
     * @param protobuf the OTLP signal whose protobuf answers the request gets, or {@code null} for JSON answers
     * @param otlp     whether a partial success is a 200, as OTLP/HTTP requires of its receivers (its
     *                 exporters read the rejected count from the body); 207 elsewhere
     */
    private record Format(BodyReader reader, OtlpAdapter protobuf, boolean otlp) {
        /** Whether the body is binary: rejections keep it in base64. */
        boolean binary() {
            return protobuf != null;
        }
    }

    /** The answers of a request whose {@code Content-Type} is not read: JSON. */
    private static final Format UNSUPPORTED = new Format(null, null, false);

    /**
     * Answers one request and closes it.
     *
     * @param formats the format of a request by its {@code Content-Type} header (or {@code null});
     *                {@code null} for a 415
     */
    private void handle(final HttpExchange exchange, final Function<String, Format> formats) throws IOException {
        try (exchange) {
            answer(exchange, formats);
        } catch (final IOException | RuntimeException e) {
            // The client went away mid-request, or a bug: nothing was taken unless a 2xx was sent.
            LOG.warn("{}: request from {} failed: {}", NAME, exchange.getRemoteAddress(), e.toString());
            throw e;
        }
    }

    /** Answers one POST; returns the status sent. */
    private int answer(final HttpExchange exchange, final Function<String, Format> formats) throws IOException {
        final String remote = remote(exchange);
        final String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        final Format read = formats.apply(contentType);
        final Format format = read == null ? UNSUPPORTED : read;
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            return error(exchange, format, 405, "method_not_allowed", "use POST to send events");
        }
        final Bound token = bound(exchange);
        if (token == null) {
            LOG.warn("{}: refused a request from {} without a valid bearer token", NAME, remote);
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
            return error(exchange, format, 401, "unauthorized",
                    "send a configured token as 'Authorization: Bearer <token>'");
        }
        if (isClosed()) {
            return error(exchange, format, 503, "closed",
                    "the collector is shutting down; retry against its successor");
        }
        if (read == null) {
            LOG.warn("{}: refused a request from token '{}' at {} to {}: Content-Type '{}' is not read there", NAME,
                    token.binding().name(), remote, exchange.getRequestURI().getPath(), contentType);
            return error(exchange, format, 415, "unsupported_media_type", "Content-Type '" + contentType
                    + "' is not read here: send " + OtlpAdapter.JSON + " (OTLP/HTTP JSON) or " + OtlpAdapter.PROTOBUF
                    + " (OTLP/HTTP protobuf)");
        }
        final String encoding = contentEncoding(exchange);
        if (encoding != null && !"gzip".equals(encoding)) {
            LOG.warn("{}: refused a request from token '{}' at {}: Content-Encoding '{}'", NAME,
                    token.binding().name(), remote, encoding);
            return error(exchange, format, 415, "unsupported_content_encoding", "Content-Encoding '" + encoding
                    + "' is not read: send the body as it is or with Content-Encoding: gzip");
        }
        final String lengthHeader = exchange.getRequestHeaders().getFirst("Content-Length");
        if (lengthHeader != null && parseLength(lengthHeader) > limits.maxBodyBytes()) {
            return tooLarge(exchange, format, token, remote, lengthHeader.strip() + " bytes");
        }
        final long wait = token.bucket().admit();
        if (wait > 0) {
            final long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999L));
            exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
            return error(exchange, format, 429, "rate_limited", "token '" + token.binding().name()
                    + "' is over its rate of " + limits.eventsPerSecond() + " events/s; retry after " + seconds + " s");
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(limits.maxBodyBytes() + 1);
        }
        stats.bytes(body.length);
        if (body.length > limits.maxBodyBytes()) {
            return tooLarge(exchange, format, token, remote, "more than " + limits.maxBodyBytes() + " bytes");
        }
        final String who = "token '" + token.binding().name() + "' from " + remote;
        final Batch batch;
        final byte[] inflated = encoding == null ? body : gunzip(body);
        if (inflated == null) {
            // Not gzip after all: the body is kept as it came, in base64, like any refused record.
            batch = new Batch();
            batch.reject(bodies.rejection(body, 0, body.length, 1, Reason.UNKNOWN_FORMAT, who,
                    "the body is not valid gzip though its Content-Encoding says so", true));
        } else if (inflated.length > limits.maxBodyBytes()) {
            return tooLarge(exchange, format, token, remote, "more than " + limits.maxBodyBytes()
                    + " bytes once decompressed (" + body.length + " gzipped)");
        } else {
            body = inflated;
            batch = format.reader().apply(body, who);
        }
        token.bucket().pay(batch.records);
        final List<Rejection> spoofed = checkIdentity(body, batch, token.binding(), remote, who, format.binary());
        if (!spoofed.isEmpty()) {
            return forbidden(exchange, format, batch, spoofed, who);
        }
        if (!enqueue(batch.events, batch.rejections)) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            return error(exchange, format, 429, "queue_full", "the collector's queue cannot take " + batch.records
                    + " more records now; nothing was taken, retry the whole request");
        }
        stats.accepted(batch.events.size());
        countRejections(batch.rejections);
        if (!batch.rejections.isEmpty()) {
            LOG.warn("{}: {}: {} of {} lines rejected, kept in the dead-letter file; first: line {}: {}", NAME, who,
                    batch.rejections.size(), batch.records, batch.rejections.get(0).line(),
                    batch.rejections.get(0).message());
        }
        // A body of only uninteresting records (spans of no GenAI operation) is fine, not a bad request.
        final boolean nothingUsable = batch.events.isEmpty() && (!batch.rejections.isEmpty() || batch.skipped == 0);
        final int status = nothingUsable ? 400 : batch.rejections.isEmpty() || format.otlp() ? 200 : 207;
        final String note = batch.records == 0 && batch.skipped == 0 ? "the body holds no events"
                : batch.skipped > 0 ? batch.skipped + " records carry nothing Peregrine maps and were skipped" : null;
        return report(exchange, format, status, batch.events.size(), batch.rejections, note);
    }

    /** The request's {@code Content-Encoding}, lower case; {@code null} when absent or {@code identity}. */
    private static String contentEncoding(final HttpExchange exchange) {
        final String header = exchange.getRequestHeaders().getFirst("Content-Encoding");
        final String encoding = header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
        return encoding.isEmpty() || "identity".equals(encoding) ? null : "x-gzip".equals(encoding) ? "gzip" : encoding;
    }

    /**
     * {@code body} decompressed, read no further than one byte past the body limit so that a small
     * body that inflates hugely (a zip bomb) costs no more memory than a large plain one; {@code null}
     * when it is not gzip.
     */
    private byte[] gunzip(final byte[] body) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readNBytes(limits.maxBodyBytes() + 1);
        } catch (final IOException e) {
            return null;
        }
    }

    /**
     * The batch of an ecosystem body: its adapter's events and problems, each record kept as its
     * own bytes where the adapter can tell them apart (an NDJSON line), else as the whole body.
     */
    private Batch adapt(final PayloadAdapter adapter, final Adapting adapting, final byte[] body, final String who,
                        final boolean binary) {
        final Adapted adapted;
        try {
            adapted = adapting.adapt(body, body.length, Math.multiplyExact(clock.millis(), 1_000_000L));
        } catch (final RuntimeException e) {
            // A bug in an adapter must not lose the body: it is refused whole and dead-lettered.
            LOG.error("{}: the {} adapter failed on a body from {}", NAME, adapter.format(), who, e);
            final Batch failed = new Batch();
            failed.reject(bodies.rejection(body, 0, body.length, 1, Reason.UNKNOWN_FORMAT, who,
                    adapter.format() + " adapter failed: " + e, binary));
            return failed;
        }
        final Batch batch = new Batch();
        batch.adapter = adapter;
        batch.skipped = adapted.skipped();
        for (int i = 0; i < adapted.events().size(); i++) {
            final Adapted.Origin origin = adapted.origins().get(i);
            batch.event(origin.record(), adapted.events().get(i), from(origin, body), to(origin, body, binary));
        }
        for (final Adapted.Problem problem : adapted.problems()) {
            final Adapted.Origin origin = problem.origin();
            batch.reject(bodies.rejection(body, from(origin, body), to(origin, body, binary), origin.record(),
                    problem.reason(), who, adapter.format() + ": " + problem.message(), binary));
        }
        return batch;
    }

    /** One of an adapter's readings of a body: {@link PayloadAdapter#adapt} or {@link OtlpAdapter#adaptProtobuf}. */
    @FunctionalInterface
    private interface Adapting {
        Adapted adapt(byte[] body, int length, long receivedNanos);
    }

    /** Where a record starts in the body; a record without bytes of its own is the whole body. */
    private static int from(final Adapted.Origin origin, final byte[] body) {
        return origin.from() < 0 || origin.to() > body.length ? 0 : origin.from();
    }

    /** Where a record ends in the body, trailing whitespace of a text body left out. */
    private static int to(final Adapted.Origin origin, final byte[] body, final boolean binary) {
        int end = origin.from() < 0 || origin.to() > body.length ? body.length : origin.to();
        final int start = from(origin, body);
        while (!binary && end > start && (body[end - 1] == '\n' || body[end - 1] == '\r' || body[end - 1] == ' '
                || body[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    /** {@code event} with the adapter's fallback {@code agent.id} when it has none and the binding allows it. */
    private static Event fallbackAgent(final Event event, final PayloadAdapter adapter, final TokenBinding token) {
        final String fallback = adapter == null ? null : adapter.identity().fallbackAgentId();
        if (fallback == null || event.has(StandardFields.AGENT_ID)) {
            return event;
        }
        final String pattern = token.identity().agentId();
        return pattern == null || Glob.matches(pattern, fallback) ? event.with(StandardFields.AGENT_ID, fallback) : event;
    }

    /**
     * Fills absent identity fields from the binding and collects the events that claim one
     * outside it, as rejections; reports each violation.
     */
    private List<Rejection> checkIdentity(final byte[] body, final Batch batch, final TokenBinding token, final String remote,
                                          final String who, final boolean binary) {
        final List<Rejection> spoofed = new ArrayList<>();
        for (int i = 0; i < batch.events.size(); i++) {
            final Event event = batch.events.get(i);
            final Field field = token.identity().violatedBy(event);
            if (field == null) {
                batch.events.set(i, fallbackAgent(token.identity().fill(event), batch.adapter, token));
                continue;
            }
            final long line = batch.eventLines.get(i);
            final String claimed = event.getString(field);
            final String allowed = token.identity().patternFor(field);
            identityViolation(new IdentityViolation(token.name(), field.name(), claimed, allowed, remote, line,
                    clock.instant()));
            final int[] range = batch.eventRanges.get(i);
            spoofed.add(bodies.rejection(body, range[0], range[1], line, Reason.IDENTITY_NOT_ALLOWED, who,
                    field.name() + " '" + claimed + "' is not allowed for this token (allowed: '" + allowed + "')",
                    binary));
        }
        return spoofed;
    }

    /** Counts {@code violation} and tells the listener (the {@code ingest_spoof} alert), whichever handler saw it. */
    void identityViolation(final IdentityViolation violation) {
        stats.violation();
        try {
            violations.onViolation(violation);
        } catch (final RuntimeException e) {
            LOG.error("{}: the identity violation listener failed on {}", NAME, violation, e);
        }
    }

    /** When a request was refused, for an {@link IdentityViolation}. */
    Instant now() {
        return clock.instant();
    }

    private int forbidden(final HttpExchange exchange, final Format format, final Batch batch,
                          final List<Rejection> spoofed, final String who) throws IOException {
        LOG.warn("{}: {}: refused a request of {} lines: {} claim an identity outside the token's binding; first: "
                + "line {}: {}", NAME, who, batch.records, spoofed.size(), spoofed.get(0).line(), spoofed.get(0).message());
        final List<Rejection> kept = new ArrayList<>(spoofed);
        kept.addAll(batch.rejections);
        kept.sort((a, b) -> Long.compare(a.line(), b.line()));
        if (!enqueue(List.of(), kept)) {
            // The dead-letter path is full: the log line is then the record of them.
            for (final Rejection rejection : kept) {
                LOG.warn("{}: queue full, not dead-lettered: line {} ({}) sha256 {}: {}", NAME, rejection.line(),
                        rejection.reason().label(), rejection.rawSha256(), rejection.message());
            }
        }
        countRejections(kept);
        return report(exchange, format, 403, 0, kept, "events claim an identity this token is not bound to; "
                + "nothing of the request was taken");
    }

    /** Takes all of {@code events} and {@code rejections}, in that order of lines, or nothing. */
    private boolean enqueue(final List<Event> events, final List<Rejection> rejections) {
        final int count = events.size() + rejections.size();
        synchronized (enqueueLock) {
            if (closed || !capacity.tryAcquire(count)) {
                return false;
            }
            queue.addAll(events);
            queue.addAll(rejections);
        }
        return true;
    }

    /** Refuses a body of {@code size} (bytes, as said or as read) over the limit. */
    private int tooLarge(final HttpExchange exchange, final Format format, final Bound token, final String remote,
                         final String size) throws IOException {
        LOG.warn("{}: refused a body of {} from token '{}' at {}: the limit is {} bytes", NAME, size,
                token.binding().name(), remote, limits.maxBodyBytes());
        // The rest of the body is not read: the connection cannot be reused.
        exchange.getResponseHeaders().set("Connection", "close");
        return error(exchange, format, 413, "body_too_large", "the body is " + size + ", over the limit of "
                + limits.maxBodyBytes() + " bytes; send fewer events per request");
    }

    /**
     * The token {@code exchange} carries as {@code Authorization: Bearer <token>}, or {@code null}
     * when it carries none or one that is not configured: for other handlers on the same server
     * that take the same clients (the memory check, the console), which answer 401 on null.
     */
    public TokenBinding authenticate(final HttpExchange exchange) {
        final Bound bound = bound(exchange);
        return bound == null ? null : bound.binding();
    }

    private Bound bound(final HttpExchange exchange) {
        return BearerTokens.presentedDigest(exchange).map(tokensByDigest::get).orElse(null);
    }

    private boolean isClosed() {
        synchronized (enqueueLock) {
            return closed;
        }
    }

    private void countRejections(final List<Rejection> rejections) {
        for (final Rejection rejection : rejections) {
            stats.rejected(rejection.reason().label());
        }
    }

    private int report(final HttpExchange exchange, final Format format, final int status, final int accepted,
                       final List<Rejection> rejections, final String message) throws IOException {
        if (format.protobuf() != null) {
            return protobufReport(exchange, format.protobuf(), status, accepted, rejections, message);
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeNumberField("accepted", accepted);
            json.writeNumberField("rejected", rejections.size());
            if (message != null) {
                json.writeStringField("message", message);
            }
            json.writeArrayFieldStart("errors");
            final int listed = Math.min(rejections.size(), limits.maxErrorsListed());
            for (int i = 0; i < listed; i++) {
                final Rejection rejection = rejections.get(i);
                json.writeStartObject();
                json.writeNumberField("line", rejection.line());
                json.writeStringField("reason", rejection.reason().label());
                json.writeStringField("message", rejection.message());
                json.writeEndObject();
            }
            json.writeEndArray();
            if (listed < rejections.size()) {
                json.writeNumberField("errors_not_listed", rejections.size() - listed);
            }
            json.writeEndObject();
        }
        // counted before the answer goes out: a client that has its answer can rely on the count
        stats.request(status);
        send(exchange, status, body.toByteArray());
        return status;
    }

    /**
     * The answer to a protobuf OTLP request: the export response, with a {@code partial_success}
     * when records were rejected, after a 2xx; a {@code google.rpc.Status} after anything else.
     */
    private int protobufReport(final HttpExchange exchange, final OtlpAdapter otlp, final int status,
                               final int accepted, final List<Rejection> rejections, final String message)
            throws IOException {
        final StringBuilder text = new StringBuilder();
        text.append(accepted).append(" accepted, ").append(rejections.size()).append(" rejected");
        if (message != null) {
            text.append("; ").append(message);
        }
        final int listed = Math.min(rejections.size(), limits.maxErrorsListed());
        for (int i = 0; i < listed; i++) {
            final Rejection rejection = rejections.get(i);
            text.append("; record ").append(rejection.line()).append(" (").append(rejection.reason().label())
                    .append("): ").append(rejection.message());
        }
        stats.request(status);
        final boolean taken = status / 100 == 2;
        send(exchange, status, OtlpAdapter.PROTOBUF, taken
                ? otlp.protobufResponse(rejections.size(), rejections.isEmpty() ? "" : text.toString())
                : otlp.protobufStatus(status, text.toString()));
        return status;
    }

    private int error(final HttpExchange exchange, final Format format, final int status, final String error,
                      final String message) throws IOException {
        if (format.protobuf() != null) {
            stats.request(status);
            send(exchange, status, OtlpAdapter.PROTOBUF,
                    format.protobuf().protobufStatus(status, error + ": " + message));
            return status;
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeNumberField("accepted", 0);
            json.writeStringField("error", error);
            json.writeStringField("message", message);
            json.writeEndObject();
        }
        stats.request(status);
        send(exchange, status, body.toByteArray());
        return status;
    }

    private static void send(final HttpExchange exchange, final int status, final byte[] body) throws IOException {
        send(exchange, status, "application/json", body);
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType,
                             final byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static long parseLength(final String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    static String remote(final HttpExchange exchange) {
        final InetSocketAddress address = exchange.getRemoteAddress();
        return address == null ? "unknown" : address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
