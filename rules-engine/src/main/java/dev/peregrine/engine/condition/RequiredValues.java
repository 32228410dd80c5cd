package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.FieldType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The values a text field must have for a condition to match at all, found by static analysis,
 * so that an evaluator can index conditions by that field ({@code evt.type}, see
 * {@link EventTypes}; {@code proc.name}, …) and skip those an event's value rules out.
 *
 * <p>{@code field = x} and {@code field in (…)} constrain; {@code and} intersects the
 * constrained parts; {@code or} unites, but only when every branch is constrained; macros are
 * looked through. Negations, {@code !=} and every other operator do not constrain (conservative:
 * such a condition is simply not indexed by the field). Only text fields read from their slot
 * are analysed, so a value matches exactly when it equals one of {@link #values()}.
 *
 * @param any    whether any value can match (no constraint)
 * @param values the values that can match, when {@code any} is false (may be empty: never matches)
 */
public record RequiredValues(boolean any, Set<String> values) {

    /** No constraint. */
    public static final RequiredValues ANY = new RequiredValues(true, Set.of());

    public RequiredValues {
        values = Set.copyOf(values);
    }

    /** The constraint {@code predicate} puts on the text field named {@code field}. */
    public static RequiredValues of(final EventPredicate predicate, final String field) {
        if (predicate instanceof EventPredicate.FieldTest test) {
            return ofTest(test, field);
        }
        if (predicate instanceof EventPredicate.MacroCall call) {
            return of(call.body(), field);
        }
        if (predicate instanceof EventPredicate.Shared shared) {
            return of(shared.body(), field);
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            Set<String> values = null;
            for (final EventPredicate part : all.parts()) {
                final RequiredValues required = of(part, field);
                if (!required.any) {
                    if (values == null) {
                        values = new LinkedHashSet<>(required.values);
                    } else {
                        values.retainAll(required.values);
                    }
                }
            }
            return values == null ? ANY : new RequiredValues(false, values);
        }
        if (predicate instanceof EventPredicate.AnyOf anyOf) {
            final Set<String> values = new LinkedHashSet<>();
            for (final EventPredicate part : anyOf.parts()) {
                final RequiredValues required = of(part, field);
                if (required.any) {
                    return ANY;
                }
                values.addAll(required.values);
            }
            return new RequiredValues(false, values);
        }
        if (predicate instanceof EventPredicate.Constant constant && !constant.value()) {
            return new RequiredValues(false, Set.of());
        }
        return ANY;
    }

    private static RequiredValues ofTest(final EventPredicate.FieldTest test, final String field) {
        if (!(test.accessor() instanceof FieldAccessor.Slot slot) || !field.equals(slot.field().name())
                || slot.field().type() != FieldType.STRING) {
            return ANY;
        }
        return switch (test.operator()) {
            case EQ, EQ2, IN, INTERSECTS -> new RequiredValues(false, new LinkedHashSet<>(test.operands()));
            default -> ANY;
        };
    }

    /** The values in a stable order, for messages and tests. */
    public List<String> sorted() {
        return values.stream().sorted().toList();
    }
}
