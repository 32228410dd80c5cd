package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Field;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rewrites a batch of compiled conditions for the events one index entry receives, where some
 * fields' values are known before any rule runs (an evaluator indexed by {@code evt.source} and
 * {@code evt.type} knows both). Per-event work then skips what the index already decided: for
 * {@code execve}, {@code spawned_process and proc.name in (…)} becomes {@code proc.name in (…)};
 * for {@code openat} it becomes {@link EventPredicate.Constant#FALSE} and the rule need not run.
 *
 * <p>The rewrite is exact. A comparison that reads only a known field is replaced by its result on
 * the known value (a field known to be missing makes it false, as at run time); {@code and},
 * {@code or} and {@code not} are simplified around constants; all other nodes are kept. Every
 * node is free of side effects, so dropping one changes no answer.
 *
 * <p>Macro bodies referenced by more than one place in the batch and still undecided are wrapped
 * in one {@link EventPredicate.Shared} for all their uses, which {@link DirectTests} lowers to a
 * node that evaluates them at most once per event however many rules use them (Falco's
 * {@code open_read}, {@code container}, … appear in dozens of rules). That node keeps per-event
 * state: a batch belongs to one evaluator on one thread.
 */
public final class Specialization {

    /**
     * A field whose value every event of the batch has.
     *
     * @param field the field
     * @param value its value, or {@code null} when every event lacks it
     */
    public record Known(Field field, Object value) {
        public Known {
            Objects.requireNonNull(field);
        }
    }

    private final List<Known> known;
    /** Macro body (as compiled) → its folded call (a MacroCall, or a Constant). */
    private final Map<EventPredicate, EventPredicate> foldedMacros = new IdentityHashMap<>();
    /** Folded MacroCall → how many places reference it directly. */
    private final Map<EventPredicate, Integer> references = new IdentityHashMap<>();
    /** Folded MacroCall → what replaces it in the result (its body, or one Shared for all uses). */
    private final Map<EventPredicate, EventPredicate> built = new IdentityHashMap<>();

    private Specialization(final List<Known> known) {
        this.known = List.copyOf(known);
    }

    /**
     * {@code predicates} rewritten for events with the {@code known} values, in the same order;
     * a condition decided by them alone comes back as a {@link EventPredicate.Constant}.
     */
    public static List<EventPredicate> specialize(final List<EventPredicate> predicates, final List<Known> known) {
        final Specialization run = new Specialization(known);
        final List<EventPredicate> folded = new ArrayList<>(predicates.size());
        for (final EventPredicate predicate : predicates) {
            folded.add(run.fold(predicate));
        }
        final List<EventPredicate> result = new ArrayList<>(folded.size());
        for (final EventPredicate predicate : folded) {
            result.add(run.build(predicate));
        }
        return result;
    }

    /** Replaces comparisons on known fields by their results and simplifies; macro calls stay as markers. */
    private EventPredicate fold(final EventPredicate predicate) {
        if (predicate instanceof EventPredicate.FieldTest test) {
            return foldTest(test);
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            return combine(all.parts(), true);
        }
        if (predicate instanceof EventPredicate.AnyOf any) {
            return combine(any.parts(), false);
        }
        if (predicate instanceof EventPredicate.Negation negation) {
            final EventPredicate inner = fold(negation.inner());
            if (inner instanceof EventPredicate.Constant constant) {
                return EventPredicate.Constant.of(!constant.value());
            }
            return inner == negation.inner() ? negation : new EventPredicate.Negation(inner);
        }
        if (predicate instanceof EventPredicate.MacroCall call) {
            EventPredicate folded = foldedMacros.get(call.body());
            if (folded == null) {
                final EventPredicate body = fold(call.body());
                folded = body instanceof EventPredicate.Constant ? body : new EventPredicate.MacroCall(call.name(), body);
                foldedMacros.put(call.body(), folded);
            }
            if (folded instanceof EventPredicate.MacroCall) {
                references.merge(folded, 1, Integer::sum);
            }
            return folded;
        }
        return predicate;
    }

    private EventPredicate foldTest(final EventPredicate.FieldTest test) {
        if (test.accessor() instanceof FieldAccessor.Slot slot) {
            for (final Known value : known) {
                if (value.field().equals(slot.field())) {
                    // Exactly FieldTest.test on the known value.
                    return EventPredicate.Constant.of(value.value() != null && test.test().test(value.value()));
                }
            }
        }
        return test;
    }

    /** {@code and} ({@code all}) or {@code or} of the folded parts. */
    private EventPredicate combine(final List<EventPredicate> parts, final boolean all) {
        final List<EventPredicate> kept = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            final EventPredicate folded = fold(part);
            if (folded instanceof EventPredicate.Constant constant) {
                if (constant.value() != all) {
                    // false in an and, true in an or: decides the whole.
                    return constant;
                }
            } else {
                kept.add(folded);
            }
        }
        if (kept.isEmpty()) {
            return EventPredicate.Constant.of(all);
        }
        if (kept.size() == 1) {
            return kept.get(0);
        }
        return all ? new EventPredicate.AllOf(kept) : new EventPredicate.AnyOf(kept);
    }

    /** The final tree: macro markers become their body, or a Shared when referenced more than once. */
    private EventPredicate build(final EventPredicate predicate) {
        if (predicate instanceof EventPredicate.MacroCall call) {
            EventPredicate result = built.get(call);
            if (result == null) {
                final EventPredicate body = build(call.body());
                result = references.getOrDefault(call, 0) > 1 ? new EventPredicate.Shared(call.name(), body) : body;
                built.put(call, result);
            }
            return result;
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            return new EventPredicate.AllOf(buildParts(all.parts(), true));
        }
        if (predicate instanceof EventPredicate.AnyOf any) {
            return new EventPredicate.AnyOf(buildParts(any.parts(), false));
        }
        if (predicate instanceof EventPredicate.Negation negation) {
            return new EventPredicate.Negation(build(negation.inner()));
        }
        return predicate;
    }

    /** The built parts, with an unwrapped macro's and-of (or or-of) merged into its parent's list. */
    private List<EventPredicate> buildParts(final List<EventPredicate> parts, final boolean all) {
        final List<EventPredicate> result = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            final EventPredicate builtPart = build(part);
            if (all && builtPart instanceof EventPredicate.AllOf nested) {
                result.addAll(nested.parts());
            } else if (!all && builtPart instanceof EventPredicate.AnyOf nested) {
                result.addAll(nested.parts());
            } else {
                result.add(builtPart);
            }
        }
        return result;
    }
}
