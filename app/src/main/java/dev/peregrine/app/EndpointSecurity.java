package dev.peregrine.app;

import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.TokenBinding;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * How an {@link HttpEndpoint} protects itself: HTTPS with a configured certificate (or plain
 * HTTP), and who may read {@code /metrics}: nobody without a token unless it is opened
 * explicitly, since metrics name rules, sinks and agents. Every command that serves HTTP passes
 * one of these, so none of them can forget a setting.
 *
 * @param tls           the server's TLS context; empty serves plain HTTP
 * @param metricsOpen   whether {@code /metrics} is served to anyone (a scraper that cannot send a token)
 * @param metricsTokens the tokens that may read {@code /metrics} when it is not open
 * @param audit         where refused scrapes go as {@code platform_access} events (the platform source in
 *                      {@code run}); they are counted and logged as well
 */
record EndpointSecurity(Optional<SSLContext> tls, boolean metricsOpen, List<TokenBinding> metricsTokens,
                        Consumer<Event> audit) {

    /** The name of the dedicated metrics token ({@code http.metrics_token}) in logs and audit events. */
    static final String METRICS_TOKEN_NAME = "metrics";

    EndpointSecurity {
        Objects.requireNonNull(tls, "tls");
        metricsTokens = List.copyOf(metricsTokens);
        Objects.requireNonNull(audit, "audit");
    }

    /**
     * The tokens that may read {@code /metrics}: the dedicated metrics token, if any, and every
     * operator token (one bound to no identity) among {@code ingestTokens}; an agent's token may not,
     * since an agent must not learn which of its actions were seen.
     */
    static List<TokenBinding> metricsTokens(final Optional<String> metricsToken, final List<TokenBinding> ingestTokens) {
        final List<TokenBinding> tokens = new ArrayList<>();
        ingestTokens.stream().filter(token -> IdentityPattern.ANY.equals(token.identity())).forEach(tokens::add);
        metricsToken.filter(secret -> tokens.stream().noneMatch(token -> token.token().equals(secret)))
                .ifPresent(secret -> tokens.add(new TokenBinding(METRICS_TOKEN_NAME, secret, IdentityPattern.ANY)));
        return tokens;
    }

    /**
     * The security of a command's endpoint: HTTPS when {@code tls} is given; {@code /metrics} for
     * {@code metricsToken} and the operator tokens among {@code bearers} unless {@code metricsOpen}.
     * With neither a token nor {@code metricsOpen}, a metrics token is generated and printed once on
     * {@code err} (as ingest does with its token), so the metrics are never open by accident nor
     * unreadable. Every command that serves HTTP ({@code run}, and the distributed commands) calls
     * this with its options.
     */
    static EndpointSecurity of(final Optional<TlsIdentity> tls, final boolean metricsOpen,
                               final Optional<String> metricsToken, final List<TokenBinding> bearers,
                               final Consumer<Event> audit, final PrintWriter err) {
        List<TokenBinding> tokens = metricsTokens(metricsToken, bearers);
        if (!metricsOpen && tokens.isEmpty()) {
            final String secret = TokenBinding.generateToken();
            // stderr, not the log: a log may be shipped elsewhere; the operator at the console needs it once
            err.println("peregrine: no metrics or operator token configured; /metrics accepts Authorization: Bearer "
                    + secret + " (set http.metrics_token or PEREGRINE_METRICS_TOKEN, or --metrics-open for a scraper "
                    + "without a token)");
            tokens = List.of(new TokenBinding(METRICS_TOKEN_NAME, secret, IdentityPattern.ANY));
        }
        return new EndpointSecurity(tls.map(TlsIdentity::sslContext), metricsOpen, tokens, audit);
    }

    /** Whether the endpoint speaks HTTPS. */
    boolean https() {
        return tls.isPresent();
    }

    /** {@code https} or {@code http}, for the URLs a command logs. */
    String scheme() {
        return https() ? "https" : "http";
    }
}
