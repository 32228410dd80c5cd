package dev.peregrine.collector.ingest;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;

/**
 * The identities a token may send events for: one glob pattern per identity field
 * ({@code *} any run of characters, {@code ?} one), {@code null} meaning any value.
 *
 * <p>An event that carries a field must match its pattern, or it claims an identity the token
 * is not bound to. An event that lacks a field gets it from a pattern without wildcards (the
 * identity the token stands for); a wildcard pattern names no single value, so the field stays
 * absent.
 *
 * @param agentId pattern for {@code agent.id}, or {@code null}
 * @param session pattern for {@code agent.session}, or {@code null}
 * @param sandbox pattern for {@code sandbox.id}, or {@code null}
 */
public record IdentityPattern(String agentId, String session, String sandbox) {

    /** Any identity: the token is trusted to say who it speaks for. */
    public static final IdentityPattern ANY = new IdentityPattern(null, null, null);

    private static final Field[] FIELDS = {StandardFields.AGENT_ID, StandardFields.AGENT_SESSION, StandardFields.SANDBOX_ID};

    /** The pattern for {@code field} (one of the three identity fields), or {@code null}. */
    String patternFor(final Field field) {
        if (field == StandardFields.AGENT_ID) {
            return agentId;
        }
        if (field == StandardFields.AGENT_SESSION) {
            return session;
        }
        return sandbox;
    }

    /** The first identity field {@code event} claims outside this pattern, or {@code null} when it claims none. */
    Field violatedBy(final Event event) {
        for (final Field field : FIELDS) {
            final String pattern = patternFor(field);
            final String claimed = event.getString(field);
            if (pattern != null && claimed != null && !Glob.matches(pattern, claimed)) {
                return field;
            }
        }
        return null;
    }

    /** {@code event} with the identity fields it lacks filled from literal patterns. */
    Event fill(final Event event) {
        Event.Builder filled = null;
        for (final Field field : FIELDS) {
            final String pattern = patternFor(field);
            if (pattern != null && !event.has(field) && Glob.isLiteral(pattern)) {
                if (filled == null) {
                    filled = event.toBuilder();
                }
                filled.set(field, pattern);
            }
        }
        return filled == null ? event : filled.build();
    }

    @Override
    public String toString() {
        return "agent.id=" + orAny(agentId) + " agent.session=" + orAny(session) + " sandbox.id=" + orAny(sandbox);
    }

    private static String orAny(final String pattern) {
        return pattern == null ? "*" : pattern;
    }
}
