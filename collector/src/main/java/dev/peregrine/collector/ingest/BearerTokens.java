package dev.peregrine.collector.ingest;

import com.sun.net.httpserver.HttpExchange;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured bearer tokens, and which of them a request presents in {@code Authorization:
 * Bearer …}. Tokens are looked up by SHA-256 digest, so a secret is never compared character by
 * character. Every authenticated endpoint (ingest, memory checks, rule reload, the console)
 * answers to the same tokens through this one class.
 */
public final class BearerTokens {

    private static final String BEARER = "Bearer ";

    private final Map<String, TokenBinding> byDigest = new HashMap<>();

    /** The tokens; two bindings with the same secret are refused, since a request could not tell them apart. */
    public BearerTokens(final List<TokenBinding> tokens) {
        for (final TokenBinding token : tokens) {
            final TokenBinding previous = byDigest.put(TokenBinding.digest(token.token()), token);
            if (previous != null) {
                throw new IllegalArgumentException("tokens '" + previous.name() + "' and '" + token.name()
                        + "' have the same secret");
            }
        }
    }

    /** The token the request presents, if it is one of these. */
    public Optional<TokenBinding> authenticate(final HttpExchange exchange) {
        return presentedDigest(exchange).map(byDigest::get);
    }

    /** The digest of the bearer token a request presents, if it presents one. */
    static Optional<String> presentedDigest(final HttpExchange exchange) {
        final String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.of(TokenBinding.digest(header.substring(BEARER.length()).strip()));
    }
}
