package dev.peregrine.engine.condition;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code evt.type} values a condition can match at all, found by static analysis, so that an
 * evaluator can skip rules that cannot match an event's type.
 *
 * <p>{@code evt.type = x} and {@code evt.type in (…)} constrain; {@code and} intersects the
 * constrained parts; {@code or} unites, but only when every branch is constrained; macros are
 * looked through. Negations and {@code !=} do not constrain (conservative: such a rule lands in
 * the catch-all bucket and is simply evaluated for every event).
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
        if (predicate instanceof EventPredicate.FieldTest test) {
            return ofTest(test);
        }
        if (predicate instanceof EventPredicate.MacroCall call) {
            return of(call.body());
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            Set<String> names = null;
            for (final EventPredicate part : all.parts()) {
                final EventTypes types = of(part);
                if (!types.any) {
                    if (names == null) {
                        names = new LinkedHashSet<>(types.names);
                    } else {
                        names.retainAll(types.names);
                    }
                }
            }
            return names == null ? ANY : new EventTypes(false, names);
        }
        if (predicate instanceof EventPredicate.AnyOf anyOf) {
            final Set<String> names = new LinkedHashSet<>();
            for (final EventPredicate part : anyOf.parts()) {
                final EventTypes types = of(part);
                if (types.any) {
                    return ANY;
                }
                names.addAll(types.names);
            }
            return new EventTypes(false, names);
        }
        return ANY;
    }

    private static EventTypes ofTest(final EventPredicate.FieldTest test) {
        if (!(test.accessor() instanceof FieldAccessor.Slot slot) || !EVT_TYPE.equals(slot.field().name())) {
            return ANY;
        }
        return switch (test.operator()) {
            case EQ, EQ2, IN, INTERSECTS -> new EventTypes(false, new LinkedHashSet<>(test.operands()));
            default -> ANY;
        };
    }

    /** The names in a stable order, for messages and tests. */
    public List<String> sorted() {
        return names.stream().sorted().toList();
    }
}
