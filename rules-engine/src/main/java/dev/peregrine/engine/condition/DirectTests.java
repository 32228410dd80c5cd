package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The form a condition takes to run: comparisons on a registered field become one node that reads
 * the slot and calls its comparison directly, instead of a {@link EventPredicate.FieldTest} that
 * goes through an accessor and a comparison of unknown kind (two calls the JIT cannot bind, per
 * comparison, per rule, per event). Answers are unchanged: each node does exactly what the
 * {@code FieldTest} it replaces does.
 *
 * <p>Lowered trees are for evaluation only. Analyses ({@link RequiredValues}, {@link Specialization},
 * the evaluator's index) read the compiled trees, whose {@code FieldTest}s name their operator
 * and operands.
 */
public final class DirectTests {

    /** {@link EventPredicate.Shared} nodes already lowered, so that every rule keeps sharing one. */
    private final Map<EventPredicate.Shared, EventPredicate.Shared> shared = new IdentityHashMap<>();

    private DirectTests() {
    }

    /**
     * {@code predicates} in their runnable form, in the same order; a macro body several of them
     * share stays shared.
     */
    public static List<EventPredicate> lower(final List<EventPredicate> predicates) {
        final DirectTests run = new DirectTests();
        final List<EventPredicate> lowered = new ArrayList<>(predicates.size());
        for (final EventPredicate predicate : predicates) {
            lowered.add(run.lowerNode(predicate));
        }
        return lowered;
    }

    private EventPredicate lowerNode(final EventPredicate predicate) {
        if (predicate instanceof EventPredicate.FieldTest test && test.accessor() instanceof FieldAccessor.Slot slot) {
            return direct(slot.field(), test.test());
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            final List<EventPredicate> parts = lowerAll(all.parts());
            parts.sort(Comparator.comparingInt(DirectTests::laterFirst));
            return new EventPredicate.AllOf(parts);
        }
        if (predicate instanceof EventPredicate.AnyOf any) {
            return anyOf(any.parts());
        }
        if (predicate instanceof EventPredicate.Negation negation) {
            return new EventPredicate.Negation(lowerNode(negation.inner()));
        }
        if (predicate instanceof EventPredicate.MacroCall call) {
            return lowerNode(call.body());
        }
        if (predicate instanceof EventPredicate.Shared macro) {
            EventPredicate.Shared lowered = shared.get(macro);
            if (lowered == null) {
                lowered = new EventPredicate.Shared(macro.name(), lowerNode(macro.body()));
                shared.put(macro, lowered);
            }
            return lowered;
        }
        return predicate;
    }

    /**
     * An {@code or}, with its text tests on one field ({@code fd.name startswith /etc or fd.name
     * startswith /usr/bin or …}, common in Falco's rules) gathered into one {@link TextAnyOf} per
     * field: one read and a loop per kind of test, instead of a node per test. An {@code or} of
     * side-effect-free tests may be evaluated in any order.
     */
    private EventPredicate anyOf(final List<EventPredicate> parts) {
        final Map<Field, List<EventPredicate.FieldTest>> byField = new LinkedHashMap<>();
        for (final EventPredicate part : parts) {
            if (TextAnyOf.accepts(part)) {
                final EventPredicate.FieldTest test = (EventPredicate.FieldTest) part;
                byField.computeIfAbsent(((FieldAccessor.Slot) test.accessor()).field(), f -> new ArrayList<>()).add(test);
            }
        }
        final List<EventPredicate> lowered = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            if (TextAnyOf.accepts(part)) {
                final Field field = ((FieldAccessor.Slot) ((EventPredicate.FieldTest) part).accessor()).field();
                final List<EventPredicate.FieldTest> tests = byField.remove(field);
                if (tests == null) {
                    continue; // gathered into the node placed at the field's first test
                }
                lowered.add(tests.size() == 1 ? lowerNode(tests.get(0)) : TextAnyOf.of(field, tests));
            } else {
                lowered.add(lowerNode(part));
            }
        }
        return lowered.size() == 1 ? lowered.get(0) : new EventPredicate.AnyOf(lowered);
    }

    /**
     * Where a part goes in an {@code and}: the tests likely to fail first, so that most events
     * leave after one. Rule authors write the broad part first ({@code open_read and fd.num >= 0
     * and fd.name in (…) and not proc.name in (…)}); a value that must be one of a few names
     * rejects nearly every event, a boolean or a bound rarely does, and a {@code not} of an
     * exception list almost never. Every part is free of side effects and a missing field makes
     * each part false on its own, so the order changes no answer. The sort is stable: parts of one
     * rank keep the author's order.
     */
    private static int laterFirst(final EventPredicate part) {
        if (part instanceof TextEquals equals) {
            return equals.test().negated() ? 3 : 0;
        }
        if (part instanceof TextIn || part instanceof TextAnyOf) {
            return 0;
        }
        if (part instanceof TextStartsWith || part instanceof TextEndsWith || part instanceof EventPredicate.AnyOf) {
            return 1;
        }
        if (part instanceof TextContains || part instanceof SlotTest || part instanceof EventPredicate.AllOf) {
            return 2;
        }
        if (part instanceof EventPredicate.Negation) {
            return 4;
        }
        return 3;
    }

    private List<EventPredicate> lowerAll(final List<EventPredicate> parts) {
        final List<EventPredicate> lowered = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            lowered.add(lowerNode(part));
        }
        return lowered;
    }

    private static EventPredicate direct(final Field field, final ValueTest test) {
        if (test instanceof Comparisons.TextEquals equals) {
            return new TextEquals(field, equals);
        }
        if (test instanceof Comparisons.TextIn in) {
            return new TextIn(field, in);
        }
        if (test instanceof Comparisons.TextContains contains) {
            return new TextContains(field, contains);
        }
        if (test instanceof Comparisons.TextStartsWith startsWith) {
            return new TextStartsWith(field, startsWith);
        }
        if (test instanceof Comparisons.TextEndsWith endsWith) {
            return new TextEndsWith(field, endsWith);
        }
        if (test instanceof Comparisons.LongCompare compare) {
            return new LongCompare(field, compare);
        }
        if (test instanceof Comparisons.BoolEquals equals) {
            return new BoolEquals(field, equals);
        }
        return new SlotTest(field, test);
    }

    // One class per kind of comparison: the call to the comparison is then bound at compile time.

    /** A slot read and {@code =}/{@code !=} on text. */
    record TextEquals(Field field, Comparisons.TextEquals test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and {@code in}/{@code intersects} on text. */
    record TextIn(Field field, Comparisons.TextIn test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and {@code contains}. */
    record TextContains(Field field, Comparisons.TextContains test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and {@code startswith}. */
    record TextStartsWith(Field field, Comparisons.TextStartsWith test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and {@code endswith}. */
    record TextEndsWith(Field field, Comparisons.TextEndsWith test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and an integer comparison. */
    record LongCompare(Field field, Comparisons.LongCompare test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** A slot read and {@code =} on a boolean. */
    record BoolEquals(Field field, Comparisons.BoolEquals test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /**
     * Several text tests on one field, of which at least one must hold: {@code =}, {@code in},
     * {@code startswith}, {@code endswith} and {@code contains}, each kind in one loop. Only
     * registered fields come here, never an input's own key, whose value may be a list that
     * {@code in} tests element by element.
     */
    static final class TextAnyOf implements EventPredicate.Direct {
        private final Field field;
        private final Set<String> equal;
        private final String[] prefixes;
        private final String[] suffixes;
        private final String[] substrings;

        private TextAnyOf(final Field field, final Set<String> equal, final List<String> prefixes,
                          final List<String> suffixes, final List<String> substrings) {
            this.field = field;
            this.equal = equal;
            this.prefixes = prefixes.toArray(String[]::new);
            this.suffixes = suffixes.toArray(String[]::new);
            this.substrings = substrings.toArray(String[]::new);
        }

        /** Whether {@code part} is a test this node can take in. */
        static boolean accepts(final EventPredicate part) {
            if (!(part instanceof EventPredicate.FieldTest test) || !(test.accessor() instanceof FieldAccessor.Slot)) {
                return false;
            }
            final ValueTest compiled = test.test();
            return compiled instanceof Comparisons.TextEquals equals && !equals.negated()
                    || compiled instanceof Comparisons.TextIn in && in.all()
                    || compiled instanceof Comparisons.TextStartsWith
                    || compiled instanceof Comparisons.TextEndsWith
                    || compiled instanceof Comparisons.TextContains;
        }

        static TextAnyOf of(final Field field, final List<EventPredicate.FieldTest> tests) {
            final Set<String> equal = new HashSet<>();
            final List<String> prefixes = new ArrayList<>();
            final List<String> suffixes = new ArrayList<>();
            final List<String> substrings = new ArrayList<>();
            for (final EventPredicate.FieldTest test : tests) {
                // The operands as the compiled comparisons hold them, so both forms agree by construction.
                if (test.test() instanceof Comparisons.TextEquals equals) {
                    equal.add(equals.operand());
                } else if (test.test() instanceof Comparisons.TextIn in) {
                    equal.addAll(in.operands());
                } else if (test.test() instanceof Comparisons.TextStartsWith startsWith) {
                    prefixes.add(startsWith.prefix());
                } else if (test.test() instanceof Comparisons.TextEndsWith endsWith) {
                    suffixes.add(endsWith.suffix());
                } else if (test.test() instanceof Comparisons.TextContains contains) {
                    substrings.add(contains.needle());
                } else {
                    throw new IllegalArgumentException("not a text test: " + test);
                }
            }
            return new TextAnyOf(field, equal, prefixes, suffixes, substrings);
        }

        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            if (value == null) {
                return false;
            }
            // a registered text field holds a String (Event.Builder checks); toString() as the single tests do
            final String text = value instanceof String string ? string : value.toString();
            if (!equal.isEmpty() && equal.contains(text)) {
                return true;
            }
            for (final String prefix : prefixes) {
                if (text.startsWith(prefix)) {
                    return true;
                }
            }
            for (final String suffix : suffixes) {
                if (text.endsWith(suffix)) {
                    return true;
                }
            }
            for (final String substring : substrings) {
                if (text.contains(substring)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A slot read and any other comparison: one call fewer than through the accessor. */
    record SlotTest(Field field, ValueTest test) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }
}
