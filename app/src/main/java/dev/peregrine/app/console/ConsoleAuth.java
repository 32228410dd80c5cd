package dev.peregrine.app.console;

import com.sun.net.httpserver.HttpExchange;
import dev.peregrine.collector.ingest.TokenBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking: the console accepts the ingest API's bearer tokens, looked up by SHA-256 digest
 * as the ingest API does, so a secret is never compared directly and one set of tokens opens both.
 */
final class ConsoleAuth {

    private static final String BEARER = "Bearer ";

    private final Map<String, TokenBinding> byDigest = new HashMap<>();

    ConsoleAuth(final List<TokenBinding> tokens) {
        for (final TokenBinding token : tokens) {
            byDigest.put(digest(token.token()), token);
        }
    }

    /** The token the request carries as {@code Authorization: Bearer …}, if it is one of ours. */
    Optional<TokenBinding> authenticate(final HttpExchange exchange) {
        final String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.ofNullable(byDigest.get(digest(header.substring(BEARER.length()).strip())));
    }

    private static String digest(final String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
