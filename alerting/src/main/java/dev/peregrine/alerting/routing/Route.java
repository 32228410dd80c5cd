package dev.peregrine.alerting.routing;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.util.Objects;
import java.util.Set;

/**
 * Which alerts one destination wants. Every condition must hold; an empty set means "any".
 * A config entry maps onto it one key per component, e.g. {@code name}, {@code min_priority}
 * (read with {@link Priority#parse}), {@code tags}, {@code rules}, {@code except_rules}.
 *
 * @param name            shown in logs and errors, e.g. {@code slack-oncall}
 * @param minimumPriority alerts at least this severe ({@link Priority#atLeast})
 * @param anyOfTags       the alert carries at least one of these tags
 * @param allowRuleIds    the alert's rule id is one of these
 * @param denyRuleIds     the alert's rule id is none of these (wins over the allow list)
 */
public record Route(String name, Priority minimumPriority, Set<String> anyOfTags, Set<String> allowRuleIds,
                    Set<String> denyRuleIds) {

    public Route {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a route needs a name");
        }
        minimumPriority = minimumPriority == null ? Priority.DEBUG : minimumPriority;
        anyOfTags = Set.copyOf(anyOfTags);
        allowRuleIds = Set.copyOf(allowRuleIds);
        denyRuleIds = Set.copyOf(denyRuleIds);
    }

    /** A route taking every alert at least as severe as {@code minimumPriority}. */
    public static Route atLeast(final String name, final Priority minimumPriority) {
        return new Route(name, minimumPriority, Set.of(), Set.of(), Set.of());
    }

    /** A copy that also requires one of {@code tags}. */
    public Route withAnyOfTags(final Set<String> tags) {
        return new Route(name, minimumPriority, tags, allowRuleIds, denyRuleIds);
    }

    /** A copy that only takes the rule ids in {@code ruleIds}. */
    public Route allowing(final Set<String> ruleIds) {
        return new Route(name, minimumPriority, anyOfTags, ruleIds, denyRuleIds);
    }

    /** A copy that never takes the rule ids in {@code ruleIds}. */
    public Route denying(final Set<String> ruleIds) {
        return new Route(name, minimumPriority, anyOfTags, allowRuleIds, ruleIds);
    }

    /** Whether {@code alert} goes this way. */
    public boolean matches(final Alert alert) {
        if (!alert.priority().atLeast(minimumPriority)) {
            return false;
        }
        if (denyRuleIds.contains(alert.ruleId())) {
            return false;
        }
        if (!allowRuleIds.isEmpty() && !allowRuleIds.contains(alert.ruleId())) {
            return false;
        }
        if (anyOfTags.isEmpty()) {
            return true;
        }
        for (final String tag : alert.tags()) {
            if (anyOfTags.contains(tag)) {
                return true;
            }
        }
        return false;
    }
}
