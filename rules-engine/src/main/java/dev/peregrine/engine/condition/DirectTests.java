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
 * The form a condition takes to run. The compiled tree ({@link EventPredicate}) is built for
 * analyses: a comparison is a {@link EventPredicate.FieldTest} that reads through an accessor and
 * calls a comparison of unknown kind, and every call between nodes goes through an interface. Per
 * rule, per event, that is several calls the JIT cannot bind. Lowered, a condition is a tree of
 * {@link Node}s:
 * <ul>
 *   <li>a comparison on a registered field is one node that reads the slot and calls a comparison
 *       of known class, which the JIT inlines;</li>
 *   <li>an {@code or} of text tests on one field is one {@link TextAnyOf};</li>
 *   <li>the parts of an {@code and} run most selective first (see {@link #rank});</li>
 *   <li>nodes are subclasses of an abstract class, so that calls between them dispatch through
 *       the vtable, cheaper than an interface's itable at call sites that see many kinds of node,
 *       as the evaluator's do with a rule set of any size.</li>
 * </ul>
 * Answers are unchanged: each node does exactly what the part it replaces does.
 *
 * <p>Lowered trees are for evaluation only. Analyses ({@link RequiredValues}, {@link Specialization},
 * the evaluator's index) read the compiled trees, whose {@code FieldTest}s name their operator
 * and operands.
 */
public final class DirectTests {

    /** {@link EventPredicate.Shared} macros already lowered, so that every rule keeps sharing one. */
    private final Map<EventPredicate.Shared, Memo> shared = new IdentityHashMap<>();

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
            lowered.add(new Lowered(run.node(predicate)));
        }
        return lowered;
    }

    /** One lowered condition, as the evaluator holds it. */
    record Lowered(Node root) implements EventPredicate.Direct {
        @Override
        public boolean test(final Event event) {
            return root.test(event);
        }
    }

    /** A node of a lowered tree. */
    abstract static class Node {
        /** Whether {@code event} satisfies this part. */
        abstract boolean test(Event event);
    }

    private Node node(final EventPredicate predicate) {
        if (predicate instanceof EventPredicate.FieldTest test && test.accessor() instanceof FieldAccessor.Slot slot) {
            return comparison(slot.field(), test.test());
        }
        if (predicate instanceof EventPredicate.AllOf all) {
            final List<Node> parts = nodes(all.parts());
            parts.sort(Comparator.comparingInt(DirectTests::rank));
            return new All(parts);
        }
        if (predicate instanceof EventPredicate.AnyOf any) {
            return anyOf(any.parts());
        }
        if (predicate instanceof EventPredicate.Negation negation) {
            return new Not(node(negation.inner()));
        }
        if (predicate instanceof EventPredicate.Constant constant) {
            return new Fixed(constant.value());
        }
        if (predicate instanceof EventPredicate.MacroCall call) {
            return node(call.body());
        }
        if (predicate instanceof EventPredicate.Shared macro) {
            Memo lowered = shared.get(macro);
            if (lowered == null) {
                lowered = new Memo(macro.name(), node(macro.body()));
                shared.put(macro, lowered);
            }
            return lowered;
        }
        // ancestors, endpoints, input keys, two-field comparisons: tested as compiled
        return new Compiled(predicate);
    }

    private List<Node> nodes(final List<EventPredicate> parts) {
        final List<Node> nodes = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            nodes.add(node(part));
        }
        return nodes;
    }

    /**
     * An {@code or}, with its text tests on one field ({@code fd.name startswith /etc or fd.name
     * startswith /usr/bin or …}, common in Falco's rules) gathered into one {@link TextAnyOf} per
     * field: one read and a loop per kind of test, instead of a node per test. An {@code or} of
     * side-effect-free tests may be evaluated in any order.
     */
    private Node anyOf(final List<EventPredicate> parts) {
        final Map<Field, List<EventPredicate.FieldTest>> byField = new LinkedHashMap<>();
        for (final EventPredicate part : parts) {
            if (TextAnyOf.accepts(part)) {
                final EventPredicate.FieldTest test = (EventPredicate.FieldTest) part;
                byField.computeIfAbsent(((FieldAccessor.Slot) test.accessor()).field(), f -> new ArrayList<>()).add(test);
            }
        }
        final List<Node> lowered = new ArrayList<>(parts.size());
        for (final EventPredicate part : parts) {
            if (TextAnyOf.accepts(part)) {
                final Field field = ((FieldAccessor.Slot) ((EventPredicate.FieldTest) part).accessor()).field();
                final List<EventPredicate.FieldTest> tests = byField.remove(field);
                if (tests == null) {
                    continue; // gathered into the node placed at the field's first test
                }
                lowered.add(tests.size() == 1 ? node(tests.get(0)) : TextAnyOf.of(field, tests));
            } else {
                lowered.add(node(part));
            }
        }
        return lowered.size() == 1 ? lowered.get(0) : new Any(lowered);
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
    private static int rank(final Node part) {
        if (part instanceof TextEquals equals) {
            return equals.test.negated() ? 3 : 0;
        }
        if (part instanceof TextIn || part instanceof TextAnyOf) {
            return 0;
        }
        if (part instanceof TextStartsWith || part instanceof TextEndsWith || part instanceof Any) {
            return 1;
        }
        if (part instanceof TextContains || part instanceof SlotTest || part instanceof All) {
            return 2;
        }
        if (part instanceof Not) {
            return 4;
        }
        return 3;
    }

    private static Node comparison(final Field field, final ValueTest test) {
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

    // ---- structure ---------------------------------------------------------------------------

    /** Every part holds; left to right, stopping at the first that does not. */
    static final class All extends Node {
        private final Node[] parts;

        All(final List<Node> parts) {
            this.parts = parts.toArray(Node[]::new);
        }

        /** The parts, in the order they run. */
        List<Node> parts() {
            return List.of(parts);
        }

        @Override
        boolean test(final Event event) {
            for (final Node part : parts) {
                if (!part.test(event)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** At least one part holds; left to right, stopping at the first that does. */
    static final class Any extends Node {
        private final Node[] parts;

        Any(final List<Node> parts) {
            this.parts = parts.toArray(Node[]::new);
        }

        /** The parts, in the order they run. */
        List<Node> parts() {
            return List.of(parts);
        }

        @Override
        boolean test(final Event event) {
            for (final Node part : parts) {
                if (part.test(event)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The part does not hold. */
    static final class Not extends Node {
        private final Node inner;

        Not(final Node inner) {
            this.inner = inner;
        }

        @Override
        boolean test(final Event event) {
            return !inner.test(event);
        }
    }

    /** A result already known. */
    static final class Fixed extends Node {
        private final boolean value;

        Fixed(final boolean value) {
            this.value = value;
        }

        @Override
        boolean test(final Event event) {
            return value;
        }
    }

    /**
     * A macro several rules share ({@link EventPredicate.Shared}), evaluated at most once per event:
     * the result for the last event is reused while that event meets the next rule. Events are
     * immutable, so reuse gives exactly the answer a second evaluation would.
     */
    static final class Memo extends Node {
        private final String name;
        private final Node body;
        private Event last;
        private boolean result;

        Memo(final String name, final Node body) {
            this.name = name;
            this.body = body;
        }

        /** The macro's lowered condition. */
        Node body() {
            return body;
        }

        @Override
        boolean test(final Event event) {
            if (event != last) {
                result = body.test(event);
                last = event;
            }
            return result;
        }

        @Override
        public String toString() {
            return "Memo[" + name + "]";
        }
    }

    /** A part with no lowered form, tested as compiled. */
    static final class Compiled extends Node {
        private final EventPredicate predicate;

        Compiled(final EventPredicate predicate) {
            this.predicate = predicate;
        }

        @Override
        boolean test(final Event event) {
            return predicate.test(event);
        }
    }

    // ---- comparisons on a slot ------------------------------------------------------------------

    /**
     * A slot read and one comparison. Each kind of comparison has its own subclass, which names
     * the comparison's class as its type argument: the call in {@code test} is then to a final
     * class, bound and inlined, where one class for all would make it megamorphic.
     */
    abstract static class OnSlot<T extends ValueTest> extends Node {
        final Field field;
        final T test;

        OnSlot(final Field field, final T test) {
            this.field = field;
            this.test = test;
        }
    }

    /** {@code =}/{@code !=} on text. */
    static final class TextEquals extends OnSlot<Comparisons.TextEquals> {
        TextEquals(final Field field, final Comparisons.TextEquals test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** {@code in}/{@code intersects} on text. */
    static final class TextIn extends OnSlot<Comparisons.TextIn> {
        TextIn(final Field field, final Comparisons.TextIn test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** {@code contains}. */
    static final class TextContains extends OnSlot<Comparisons.TextContains> {
        TextContains(final Field field, final Comparisons.TextContains test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** {@code startswith}. */
    static final class TextStartsWith extends OnSlot<Comparisons.TextStartsWith> {
        TextStartsWith(final Field field, final Comparisons.TextStartsWith test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** {@code endswith}. */
    static final class TextEndsWith extends OnSlot<Comparisons.TextEndsWith> {
        TextEndsWith(final Field field, final Comparisons.TextEndsWith test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** An integer comparison. */
    static final class LongCompare extends OnSlot<Comparisons.LongCompare> {
        LongCompare(final Field field, final Comparisons.LongCompare test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** {@code =} on a boolean. */
    static final class BoolEquals extends OnSlot<Comparisons.BoolEquals> {
        BoolEquals(final Field field, final Comparisons.BoolEquals test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
            final Object value = event.get(field);
            return value != null && test.test(value);
        }
    }

    /** Any other comparison on a slot: the accessor's call saved, the comparison's kept. */
    static final class SlotTest extends OnSlot<ValueTest> {
        SlotTest(final Field field, final ValueTest test) {
            super(field, test);
        }

        @Override
        boolean test(final Event event) {
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
    static final class TextAnyOf extends Node {
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
        boolean test(final Event event) {
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
}
