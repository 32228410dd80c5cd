package dev.peregrine.collector.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A bearer token the ingest API accepts and the identity it is bound to.
 *
 * @param name     what the token is called in logs, responses and alerts (never the secret)
 * @param token    the secret a client sends as {@code Authorization: Bearer <token>}
 * @param identity the identities events sent with it may claim, and fill when they claim none
 */
public record TokenBinding(String name, String token, IdentityPattern identity) {

    /** Prefix of generated tokens, so that a leaked one is recognizable in logs and secret scanners. */
    public static final String GENERATED_PREFIX = "pgr_";

    private static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public TokenBinding {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(identity, "identity");
        if (name.isBlank()) {
            throw new IllegalArgumentException("ingest token name must not be blank");
        }
        if (token.length() < 16) {
            throw new IllegalArgumentException("ingest token '" + name + "' is " + token.length()
                    + " characters long; use at least 16 (generate one with TokenBinding.generateToken())");
        }
    }

    /**
     * A new random token: {@value #GENERATED_PREFIX} and 32 bytes from {@link SecureRandom},
     * base64url. For a first start with none configured; the caller prints it once.
     */
    public static String generateToken() {
        final byte[] bytes = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(bytes);
        return GENERATED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Hex SHA-256 of a presented token: tokens are looked up by digest, so the secret is never compared directly. */
    static String digest(final String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Names the token and its identity; never prints the secret. */
    @Override
    public String toString() {
        return "TokenBinding[" + name + ": " + identity + "]";
    }
}
