package dev.peregrine.engine.condition;

import java.util.List;
import java.util.Set;

/**
 * The {@code evt.type} values a condition can match at all, found by static analysis, so that an
 * evaluator can skip rules that cannot match an event's type.
 *
 * <p>The analysis is {@link RequiredValues}' on {@code evt.type}: {@code evt.type = x} and
 * {@code evt.type in (…)} constrain; {@code and} intersects the constrained parts; {@code or}
 * unites, but only when every branch is constrained; macros are looked through. Negations and
 * {@code !=} do not constrain (conservative: such a rule lands in the catch-all bucket and is
 * simply evaluated for every event).
 *
 * @param any   whether any type can match (no constraint)
 * @param names the types that can match, when {@code any} is false (may be empty: never matches)
 */
public record EventTypes(boolean any, Set<String> names) {

    /** No constraint. */
    public static final EventTypes ANY = new EventTypes(true, Set.of());

    private static final String EVT_TYPE = "evt.type";

    public EventTypes {
        names = Set.copyOf(names);
    }

    /** The constraint {@code predicate} puts on {@code evt.type}. */
    public static EventTypes of(final EventPredicate predicate) {
        final RequiredValues required = RequiredValues.of(predicate, EVT_TYPE);
        return required.any() ? ANY : new EventTypes(false, required.values());
    }

    /** The names in a stable order, for messages and tests. */
    public List<String> sorted() {
        return names.stream().sorted().toList();
    }
}
