package dev.peregrine.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.BearerTokens;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.engine.reload.ReloadResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/rules/reload}: reloads the rule files through the {@link RuleReloader} and
 * answers once they compiled ({@code 200 {"generation":G,"rules":N,"cep_items":M}}) or were
 * refused ({@code 422 {"generation":G,"problems":["file:line:column: …",…]}}, the running
 * generation G stays).
 *
 * <p>Authenticated with the ingest API's bearer tokens, and only with a token bound to no
 * identity (an operator's token, or the one {@code run} generates): a token bound to an agent is
 * that agent's, and an agent must not be able to reset the monitor's correlation windows.
 * {@code 401} without a configured token, {@code 403} with an agent's; both are recorded as
 * refused reloads (a {@code platform_access} event the {@code platform_access_denied} rule
 * alerts on). {@code 405} for other methods, {@code 503} when loading takes longer than the
 * answer may wait (the reload goes on; its outcome is logged and recorded).
 */
final class RulesReloadHandler implements HttpHandler {

    /** Where the handler is mounted. */
    static final String PATH = "/v1/rules/reload";

    private static final JsonFactory JSON = new JsonFactory();
    /** A reload request carries no body; anything more than this is not read. */
    private static final int MAX_BODY_BYTES = 4096;

    private final RuleReloader reloader;
    private final BearerTokens tokens;
    private final Duration answerWithin;

    /**
     * @param reloader     does the reload
     * @param tokens       the ingest tokens; only those bound to no identity may reload
     * @param answerWithin how long a request waits for loading and compiling before a 503
     */
    RulesReloadHandler(final RuleReloader reloader, final List<TokenBinding> tokens, final Duration answerWithin) {
        this.reloader = Objects.requireNonNull(reloader, "reloader");
        this.tokens = new BearerTokens(tokens);
        this.answerWithin = Objects.requireNonNull(answerWithin, "answerWithin");
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            drain(exchange);
            final String remote = remote(exchange);
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                send(exchange, 405, error("method_not_allowed", "use POST to reload the rules"));
                return;
            }
            final TokenBinding token = tokens.authenticate(exchange).orElse(null);
            if (token == null) {
                reloader.refused(RuleReloader.Trigger.HTTP, "unauthorized", "no valid token", remote,
                        "no configured bearer token");
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
                send(exchange, 401, error("unauthorized", "send a configured token as 'Authorization: Bearer <token>'"));
                return;
            }
            if (!IdentityPattern.ANY.equals(token.identity())) {
                reloader.refused(RuleReloader.Trigger.HTTP, "forbidden", token.name(), remote,
                        "token '" + token.name() + "' is bound to " + token.identity() + "; only a token bound to no "
                                + "identity may reload the rules");
                send(exchange, 403, error("forbidden", "token '" + token.name() + "' is bound to an agent's identity; "
                        + "only an operator token (bound to no identity) may reload the rules"));
                return;
            }
            final ReloadResult result;
            try {
                result = reloader.reload(RuleReloader.Trigger.HTTP, token.name(), remote)
                        .get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final TimeoutException e) {
                send(exchange, 503, error("still_loading", "the rules are still loading after "
                        + answerWithin.toSeconds() + " s; the outcome will be logged and counted"));
                return;
            } catch (final ExecutionException e) {
                send(exchange, 500, error("reload_failed", String.valueOf(e.getCause())));
                return;
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                send(exchange, 503, error("stopping", "Peregrine is stopping"));
                return;
            }
            send(exchange, result.rejected() ? 422 : 200, answer(result));
        }
    }

    private static byte[] answer(final ReloadResult result) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeNumberField("generation", result.generation());
            if (result.rejected()) {
                json.writeStringField("error", "rules_invalid");
                json.writeStringField("message", "the rule files do not load; the running rules stay");
                json.writeArrayFieldStart("problems");
                for (final String problem : result.problems()) {
                    json.writeString(problem);
                }
                json.writeEndArray();
            } else {
                json.writeNumberField("rules", result.rules());
                json.writeNumberField("cep_items", result.cepRules().size());
            }
            json.writeEndObject();
        }
        return body.toByteArray();
    }

    private static byte[] error(final String error, final String message) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.writeStartObject();
            json.writeStringField("error", error);
            json.writeStringField("message", message);
            json.writeEndObject();
        }
        return body.toByteArray();
    }

    private static void send(final HttpExchange exchange, final int status, final byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Reads (and ignores) a small body, so the connection can be reused. */
    private static void drain(final HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readNBytes(MAX_BODY_BYTES);
        }
    }

    private static String remote(final HttpExchange exchange) {
        final InetSocketAddress address = exchange.getRemoteAddress();
        return address == null ? "unknown" : address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
