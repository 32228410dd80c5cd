package dev.peregrine.collector.ingest;

import java.time.Instant;

/**
 * An event sent with a token that claims an identity the token is not bound to: the stuff of
 * an {@code ingest_spoof} alert.
 *
 * @param tokenName     name of the token used
 * @param field         the identity field claimed ({@code agent.id}, {@code agent.session}, {@code sandbox.id})
 * @param claimed       the value the event claimed
 * @param allowed       the pattern the token allows for that field
 * @param remoteAddress client address, {@code ip:port}
 * @param line          line (NDJSON) or element (JSON array) of the request body, from 1
 * @param time          when the request was refused
 */
public record IdentityViolation(String tokenName, String field, String claimed, String allowed,
                                String remoteAddress, long line, Instant time) {
}
