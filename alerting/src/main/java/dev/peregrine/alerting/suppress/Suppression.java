package dev.peregrine.alerting.suppress;

import dev.peregrine.alerting.Alert;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An analyst's decision that alerts of one rule about one key are known and not worth delivering
 * until {@code expires}.
 *
 * @param id        stable id, used to remove it
 * @param ruleId    the rule whose alerts it silences
 * @param match     key fields and the values an alert must have in all of them: {@code agent},
 *                  {@code session}, {@code hostname}, or any of the alert's output fields; empty
 *                  silences the whole rule
 * @param expires   when it stops applying (wall-clock time: analysts decide in their own time)
 * @param reason    why, in the analyst's words; required, so that a later reader can judge it
 * @param createdBy the name of the token that added it
 * @param created   when it was added
 */
public record Suppression(String id, String ruleId, Map<String, String> match, Instant expires, String reason,
                          String createdBy, Instant created) {

    public Suppression {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(created, "created");
        if (id.isBlank() || ruleId.isBlank()) {
            throw new IllegalArgumentException("a suppression needs an id and a rule id");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a suppression needs a reason");
        }
        createdBy = createdBy == null ? "" : createdBy;
        // sorted: the same suppression always encodes and prints the same way
        match = java.util.Collections.unmodifiableMap(new TreeMap<>(match));
    }

    /** Whether it is in force at {@code now}. */
    public boolean activeAt(final Instant now) {
        return now.isBefore(expires);
    }

    /** Whether {@code alert} is of this rule and has every key value this suppression names. */
    public boolean matches(final Alert alert) {
        if (!ruleId.equals(alert.ruleId())) {
            return false;
        }
        for (final Map.Entry<String, String> key : match.entrySet()) {
            if (!key.getValue().equals(keyValue(alert, key.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The value of a key field of an alert as text, or null when the alert has none. */
    public static String keyValue(final Alert alert, final String field) {
        return switch (field) {
            case "agent" -> alert.agent();
            case "session" -> alert.session();
            case "hostname" -> alert.hostname();
            default -> {
                final Object value = alert.outputFields().get(field);
                yield value == null ? null : value.toString();
            }
        };
    }
}
