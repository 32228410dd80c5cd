package dev.peregrine.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.claudecode.ClaudeCodeHookAdapter;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.rules.EventSources;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.BearerTokens;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/gate/claude-code}: a verdict on one Claude Code {@code PreToolUse} hook payload
 * before the tool runs, for {@code peregrine hook --gate}.
 *
 * <p>The payload is mapped as {@code /v1/hooks/claude-code} maps it ({@link ClaudeCodeHookAdapter}),
 * and the tool call is evaluated, together with what it says it will do, against the per-event
 * rules: a Bash command also as the process it would start ({@code execve} with its
 * {@code proc.*} fields), and every {@code http(s)://} URL in it, or a WebFetch's URL, as the
 * {@code http_request} it would make. A match of priority Critical or above is a {@code deny}.
 * Nothing is ingested: the hook forwards the payload to the ingest path as usual, and the monitor
 * alerts on it there. The evaluation runs on the HTTP thread with an evaluator of its own (not the
 * engine's), under a lock since evaluators are single-threaded; rules swap in with {@link #rules}.
 *
 * <p>Answers: 200 {@code {"decision":"allow"|"deny","rule_id":…,"priority":…,"reason":…}} (the
 * rule fields only on a deny); 400 (not one hook payload, {@code error} says why), 401 (no or
 * unknown ingest token), 405 (not a POST), 413 (body over {@link #MAX_BODY_BYTES}). A payload of
 * another hook is allowed. Every answer is counted by outcome ({@link #outcomes()}); refusals are
 * logged with the reason.
 */
final class ClaudeCodeGate implements HttpHandler {

    /** Where gate checks are posted (not under the ingest path, so that an older server answers 404, an allow). */
    static final String PATH = "/v1/gate/claude-code";

    /** Largest payload judged: a hook payload is a few KiB. */
    static final int MAX_BODY_BYTES = 1 << 20;

    /** The lowest priority that denies. */
    static final Priority DENY_AT = Priority.CRITICAL;

    private static final Logger LOG = LoggerFactory.getLogger(ClaudeCodeGate.class);

    private final BearerTokens tokens;
    private final ClaudeCodeHookAdapter adapter = new ClaudeCodeHookAdapter();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private FalcoRuleEvaluator evaluator;

    /** A gate answering holders of {@code tokens}, judging by {@code rules}. */
    ClaudeCodeGate(final List<TokenBinding> tokens, final RuleSet rules) {
        this.tokens = new BearerTokens(tokens);
        this.evaluator = new FalcoRuleEvaluator(rules);
    }

    /** Judges by {@code rules} from now on (after a reload). */
    synchronized void rules(final RuleSet rules) {
        evaluator = new FalcoRuleEvaluator(rules);
    }

    /** Answers by outcome, sorted: {@code allow}, {@code deny}, or the {@code error} of a refusal. */
    Map<String, Long> outcomes() {
        final Map<String, Long> snapshot = new TreeMap<>();
        outcomes.forEach((outcome, count) -> snapshot.put(outcome, count.sum()));
        return snapshot;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            answer(exchange);
        } catch (final IOException | RuntimeException e) {
            LOG.warn("{}: request from {} failed: {}", PATH, remote(exchange), e.toString());
            throw e;
        }
    }

    private void answer(final HttpExchange exchange) throws IOException {
        final String remote = remote(exchange);
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            refuse(exchange, 405, "method_not_allowed", "POST one PreToolUse hook payload", remote);
            return;
        }
        final Optional<TokenBinding> token = tokens.authenticate(exchange);
        if (token.isEmpty()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
            refuse(exchange, 401, "unauthorized", "send a configured ingest token as 'Authorization: Bearer <token>'",
                    remote);
            return;
        }
        final String who = "token '" + token.get().name() + "' from " + remote;
        final byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            exchange.getResponseHeaders().set("Connection", "close");
            refuse(exchange, 413, "body_too_large", "a gate body is one hook payload of at most " + MAX_BODY_BYTES
                    + " bytes", who);
            return;
        }
        final Adapted adapted = adapter.adapt(body, body.length, System.currentTimeMillis() * 1_000_000L);
        if (!adapted.problems().isEmpty()) {
            final Adapted.Problem problem = adapted.problems().get(0);
            refuse(exchange, 400, problem.reason().label(), problem.message(), who);
            return;
        }
        if (adapted.events().size() != 1) {
            refuse(exchange, 400, "one_payload_expected", "the body holds " + adapted.events().size()
                    + " hook payloads; the gate judges exactly one", who);
            return;
        }
        final Event event = adapted.events().get(0);
        if (!"PreToolUse".equals(event.extra("hook_event_name"))) {
            send(exchange, "allow", verdict(null, "only PreToolUse is gated"));
            return;
        }
        final Alert denying = judge(event);
        if (denying == null) {
            send(exchange, "allow", verdict(null, null));
            return;
        }
        LOG.info("{}: {}: denied {} ({}: {})", PATH, who, event.getString(StandardFields.TOOL_NAME),
                denying.ruleId(), denying.output());
        send(exchange, "deny", verdict(denying, null));
    }

    /** The first alert of priority {@link #DENY_AT} or above that the tool call, or what it would do, raises. */
    synchronized Alert judge(final Event toolCall) {
        for (final Event event : projections(toolCall)) {
            for (final Alert alert : evaluator.evaluate(event)) {
                if (alert.priority().atLeast(DENY_AT)) {
                    return alert;
                }
            }
        }
        return null;
    }

    /** The tool call, the process a Bash command would start, and the HTTP requests it names. */
    static List<Event> projections(final Event toolCall) {
        final List<Event> events = new ArrayList<>();
        events.add(toolCall);
        final String command = toolCall.getString(StandardFields.PROC_CMDLINE);
        final List<String> urls = new ArrayList<>();
        if (command != null) {
            events.add(toolCall.toBuilder()
                    .set(StandardFields.EVT_SOURCE, EventSources.SYSCALL)
                    .set(StandardFields.EVT_TYPE, "execve")
                    .build());
            for (final String word : command.split("[\\s'\"]+")) {
                if (word.startsWith("http://") || word.startsWith("https://")) {
                    urls.add(word);
                }
            }
        }
        final String resource = toolCall.getString(StandardFields.TOOL_RESOURCE);
        if ("fetch".equals(toolCall.getString(StandardFields.TOOL_ACTION)) && resource != null) {
            urls.add(resource);
        }
        for (final String url : urls) {
            events.add(toolCall.toBuilder()
                    .set(StandardFields.EVT_TYPE, "http_request")
                    .set(StandardFields.HTTP_METHOD, "GET")
                    .set(StandardFields.HTTP_URL, url)
                    .build());
        }
        return events;
    }

    private static String remote(final HttpExchange exchange) {
        return exchange.getRemoteAddress() == null ? "?" : exchange.getRemoteAddress().getAddress().getHostAddress();
    }

    private static Map<String, Object> verdict(final Alert denying, final String note) {
        final Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("decision", denying == null ? "allow" : "deny");
        if (denying != null) {
            verdict.put("rule_id", denying.ruleId());
            verdict.put("priority", denying.priority().displayName());
            verdict.put("reason", denying.rule() + ": " + denying.output());
        }
        if (note != null) {
            verdict.put("note", note);
        }
        return verdict;
    }

    private void refuse(final HttpExchange exchange, final int status, final String error, final String message,
                        final String who) throws IOException {
        LOG.warn("{}: {}: refused ({} {}): {}", PATH, who, status, error, message);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        send(exchange, status, error, body);
    }

    private void send(final HttpExchange exchange, final String outcome, final Map<String, Object> body)
            throws IOException {
        send(exchange, 200, outcome, body);
    }

    private void send(final HttpExchange exchange, final int status, final String outcome,
                      final Map<String, Object> json) throws IOException {
        // counted before the answer goes out: a client that has its answer can rely on the count
        outcomes.computeIfAbsent(outcome, key -> new LongAdder()).increment();
        final byte[] body = JsonTree.write(json).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
