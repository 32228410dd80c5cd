package dev.peregrine.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/memory/check}: the write-time verdict on one memory write, so that an agent
 * platform can refuse a poisoned write before it lands.
 *
 * <p>The body is one {@code memory_write} event as {@code /v1/events} takes it (an agent event,
 * spec §2.2, or a native one; NDJSON of one line or an array of one element), under the same
 * bearer tokens and identity binding: the event's missing identity fields are filled from the
 * token, and an event claiming an identity the token is not bound to is refused (403) and
 * reported like an ingest spoof. Nothing is ingested: the platform's later {@code memory_write}
 * event, posted as usual, is what the monitor remembers and alerts on. So the token's event rate
 * and the ingest queue do not limit checks either; a check costs one parse and one judgement
 * (microseconds, see {@code MemoryCheckBenchmark}) on the server's HTTP threads.
 *
 * <p>Answers: 200 {@code {"verdict":"allow"|"flag","rule_id":…,"priority":…,"findings":[{"kind":…,
 * "offset":…,"length":…,"detail":…,"evidence":…}],"sha256":…}}; 400 (not JSON, not one event,
 * not a {@code memory_write}, no agent; {@code error} says which), 401 (no or unknown token), 403
 * (identity), 405 (not a POST), 413 (body over {@link IngestLimits#maxLineBytes()}, one event's
 * limit). Every answer is counted by outcome ({@link #outcomes()}); refusals are logged with the
 * reason and the body's SHA-256 (the client keeps the body: nothing was taken).
 */
public final class MemoryCheckHandler implements HttpHandler {

    /** Where checks are posted. */
    public static final String PATH = "/v1/memory/check";

    private static final Logger LOG = LoggerFactory.getLogger(MemoryCheckHandler.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final String SOURCE = "memory-check";

    private final IngestServer ingest;
    private final MemoryWriteCheck check;
    private final BodyParser bodies;
    private final int maxBodyBytes;
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    /**
     * @param ingest  whose tokens, identity bindings, limits and spoof reporting apply
     * @param check   the judge, called on the HTTP thread
     */
    public MemoryCheckHandler(final IngestServer ingest, final MemoryWriteCheck check) {
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.check = Objects.requireNonNull(check, "check");
        this.maxBodyBytes = ingest.limits().maxLineBytes();
        this.bodies = new BodyParser(SOURCE, maxBodyBytes);
    }

    /**
     * Answers by outcome, sorted: {@code allow}, {@code flag}, or the {@code error} of a refusal
     * ({@code unauthorized}, {@code identity_not_allowed}, {@code not_memory_write}, …; a small fixed set).
     */
    public Map<String, Long> outcomes() {
        final Map<String, Long> snapshot = new TreeMap<>();
        outcomes.forEach((outcome, count) -> snapshot.put(outcome, count.sum()));
        return snapshot;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            answer(exchange);
        } catch (final IOException | RuntimeException e) {
            LOG.warn("{}: request from {} failed: {}", PATH, IngestServer.remote(exchange), e.toString());
            throw e;
        }
    }

    private void answer(final HttpExchange exchange) throws IOException {
        final String remote = IngestServer.remote(exchange);
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            error(exchange, 405, "method_not_allowed", "POST one memory_write event", null);
            return;
        }
        final TokenBinding token = ingest.authenticate(exchange);
        if (token == null) {
            LOG.warn("{}: refused a request from {} without a valid bearer token", PATH, remote);
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
            error(exchange, 401, "unauthorized", "send a configured token as 'Authorization: Bearer <token>'", null);
            return;
        }
        final String who = "token '" + token.name() + "' from " + remote;
        final String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > maxBodyBytes) {
            tooLarge(exchange, who, length);
            return;
        }
        final byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            tooLarge(exchange, who, "more than " + maxBodyBytes);
            return;
        }
        final Batch batch = bodies.parse(body, body.length, who);
        if (!batch.rejections.isEmpty()) {
            final Rejection first = batch.rejections.get(0);
            // the client knows who it is: the answer keeps the parser's reason, the log line names the client
            final String message = first.message().startsWith(who + ": ") ? first.message().substring(who.length() + 2)
                    : first.message();
            refuse(exchange, 400, first.reason().label(), message, who, first.rawSha256());
            return;
        }
        if (batch.events.size() != 1) {
            refuse(exchange, 400, "one_event_expected", "the body holds " + batch.events.size()
                    + " events; a check takes exactly one memory_write event", who, null);
            return;
        }
        final Event event = batch.events.get(0);
        final String type = event.getString(StandardFields.EVT_TYPE);
        if (!"memory_write".equals(type)) {
            refuse(exchange, 400, "not_memory_write", who + ": the event is " + (type == null ? "of no type" : "a "
                    + type) + "; only memory_write events are checked", who, null);
            return;
        }
        final Field violated = token.identity().violatedBy(event);
        if (violated != null) {
            final String claimed = event.getString(violated);
            final String allowed = token.identity().patternFor(violated);
            ingest.identityViolation(new IdentityViolation(token.name(), violated.name(), claimed, allowed, remote, 1,
                    ingest.now()));
            refuse(exchange, 403, "identity_not_allowed", violated.name() + " '" + claimed
                    + "' is not allowed for this token (allowed: '" + allowed + "')", who, null);
            return;
        }
        final MemoryVerdict verdict;
        try {
            verdict = check.check(token.identity().fill(event));
        } catch (final IllegalArgumentException e) {
            refuse(exchange, 400, "not_judgeable", e.getMessage(), who, null);
            return;
        }
        send(exchange, 200, verdict.verdict(), json(verdict));
    }

    private void tooLarge(final HttpExchange exchange, final String who, final String size) throws IOException {
        // The rest of the body is not read: the connection cannot be reused.
        exchange.getResponseHeaders().set("Connection", "close");
        refuse(exchange, 413, "body_too_large", "a check body is one event of at most " + maxBodyBytes
                + " bytes; this one is " + size, who, null);
    }

    private void refuse(final HttpExchange exchange, final int status, final String error, final String message,
                        final String who, final String sha256) throws IOException {
        LOG.warn("{}: {}: refused ({} {}){}: {}", PATH, who, status, error, sha256 == null ? "" : " body sha256 "
                + sha256, message);
        error(exchange, status, error, message, sha256);
    }

    private void error(final HttpExchange exchange, final int status, final String error, final String message,
                       final String sha256) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeStringField("error", error);
            json.writeStringField("message", message);
            if (sha256 != null) {
                json.writeStringField("body_sha256", sha256);
            }
            json.writeEndObject();
        }
        send(exchange, status, error, body.toByteArray());
    }

    private static byte[] json(final MemoryVerdict verdict) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeStringField("verdict", verdict.verdict());
            json.writeStringField("rule_id", verdict.ruleId());
            json.writeStringField("priority", verdict.priority());
            json.writeArrayFieldStart("findings");
            for (final MemoryVerdict.Finding finding : verdict.findings()) {
                json.writeStartObject();
                json.writeStringField("kind", finding.kind());
                json.writeNumberField("offset", finding.offset());
                json.writeNumberField("length", finding.length());
                json.writeStringField("detail", finding.detail());
                json.writeStringField("evidence", finding.evidence());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringField("sha256", verdict.sha256());
            json.writeEndObject();
        }
        return body.toByteArray();
    }

    private void send(final HttpExchange exchange, final int status, final String outcome, final byte[] body)
            throws IOException {
        // counted before the answer goes out: a client that has its answer can rely on the count
        outcomes.computeIfAbsent(outcome, key -> new LongAdder()).increment();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
}
