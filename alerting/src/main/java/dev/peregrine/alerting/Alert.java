package dev.peregrine.alerting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One alert, as SOC analysts and SIEMs receive it (spec §3). Falco-compatible fields first
 * ({@code time}, {@code rule}, {@code priority}, {@code source}, {@code hostname}, {@code tags},
 * {@code output}, {@code output_fields}), then Peregrine's own.
 *
 * @param id             deterministic: see {@link #deterministicId}
 * @param timeNanos      event time of the alert (the triggering event, or the window end)
 * @param ruleId         stable rule id, e.g. {@code denied_burst}
 * @param rule           human rule name
 * @param priority       Falco priority
 * @param source         {@code evt.source} of the triggering event(s)
 * @param hostname       host the triggering event came from, or empty
 * @param tags           rule tags
 * @param output         the rule's output template, rendered
 * @param outputFields   the field values the output used, in template order
 * @param agent          {@code agent.id}, or empty
 * @param session        {@code agent.session}, or empty
 * @param count          how many occurrences this alert stands for (1 for a single match)
 * @param firstSeenNanos event time of the first occurrence
 * @param lastSeenNanos  event time of the last occurrence
 */
public record Alert(String id, long timeNanos, String ruleId, String rule, Priority priority,
                    String source, String hostname, List<String> tags, String output,
                    Map<String, Object> outputFields, String agent, String session, long count,
                    long firstSeenNanos, long lastSeenNanos) {

    // One digest per thread: looking the algorithm up per alert cost more than hashing; digest() resets it.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(priority, "priority");
        source = source == null ? "" : source;
        hostname = hostname == null ? "" : hostname;
        tags = List.copyOf(tags);
        output = output == null ? "" : output;
        // LinkedHashMap copy, not Map.copyOf: field order is the template's order and values may be null
        outputFields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputFields));
        agent = agent == null ? "" : agent;
        session = session == null ? "" : session;
    }

    /**
     * The id of an alert: the same rule, grouping key and window start always give the same id,
     * so a redelivered alert overwrites itself in a SIEM instead of duplicating.
     *
     * @param ruleId            stable rule id
     * @param groupingKey       what the alert is about (session, agent, entity…)
     * @param windowStartNanos  start of the window the alert covers (event time for per-event rules)
     */
    public static String deterministicId(final String ruleId, final String groupingKey,
                                         final long windowStartNanos) {
        final MessageDigest sha256 = SHA256.get();
        sha256.update(ruleId.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(groupingKey.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(Long.toString(windowStartNanos).getBytes(StandardCharsets.UTF_8));
        // 128 bits is plenty against collisions and keeps ids readable in a console
        return HEX.formatHex(sha256.digest(), 0, 16);
    }

    /** A copy with a different occurrence count and last-seen time, for dedup and throttling. */
    public Alert withOccurrences(final long newCount, final long newLastSeenNanos) {
        return new Alert(id, timeNanos, ruleId, rule, priority, source, hostname, tags, output,
                outputFields, agent, session, newCount, firstSeenNanos, newLastSeenNanos);
    }
}
