package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Event;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * A compiled condition: a tree of these is what runs per event. Field names are already
 * resolved to {@link FieldAccessor}s and values parsed, so a test is slot reads and
 * comparisons only.
 */
public sealed interface EventPredicate {

    /** Whether {@code event} satisfies the condition. */
    boolean test(Event event);

    /**
     * A condition in the form that runs, built by {@link DirectTests} from a compiled tree;
     * analyses never meet one.
     */
    non-sealed interface Direct extends EventPredicate {
    }

    /** All parts hold; evaluated left to right, stopping at the first that does not. */
    final class AllOf implements EventPredicate {
        private final EventPredicate[] parts;

        /** @param parts at least one part */
        public AllOf(final List<EventPredicate> parts) {
            this.parts = parts.toArray(EventPredicate[]::new);
        }

        /** The parts, in evaluation order. */
        public List<EventPredicate> parts() {
            return List.of(parts);
        }

        @Override
        public boolean test(final Event event) {
            for (final EventPredicate part : parts) {
                if (!part.test(event)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return "AllOf" + List.of(parts);
        }
    }

    /** At least one part holds; evaluated left to right, stopping at the first that does. */
    final class AnyOf implements EventPredicate {
        private final EventPredicate[] parts;

        /** @param parts at least one part */
        public AnyOf(final List<EventPredicate> parts) {
            this.parts = parts.toArray(EventPredicate[]::new);
        }

        /** The parts, in evaluation order. */
        public List<EventPredicate> parts() {
            return List.of(parts);
        }

        @Override
        public boolean test(final Event event) {
            for (final EventPredicate part : parts) {
                if (part.test(event)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "AnyOf" + List.of(parts);
        }
    }

    /** The inner predicate does not hold (so {@code not proc.name = x} is true when proc.name is missing, as in Falco). */
    record Negation(EventPredicate inner) implements EventPredicate {
        @Override
        public boolean test(final Event event) {
            return !inner.test(event);
        }
    }

    /**
     * A condition whose result is already known, left by {@link Specialization} where a comparison
     * read only fields known for every event it will see.
     *
     * @param value the result for every event
     */
    record Constant(boolean value) implements EventPredicate {
        /** Holds for every event. */
        public static final Constant TRUE = new Constant(true);
        /** Holds for no event. */
        public static final Constant FALSE = new Constant(false);

        /** The constant for {@code value}. */
        public static Constant of(final boolean value) {
            return value ? TRUE : FALSE;
        }

        @Override
        public boolean test(final Event event) {
            return value;
        }
    }

    /**
     * A macro body that several rules of one batch use, marked by {@link Specialization} as one
     * node for all of them. {@link DirectTests} lowers it to a node that evaluates the body at
     * most once per event; this marker itself holds no state and simply evaluates its body.
     */
    static final class Shared implements EventPredicate {
        private final String name;
        private final EventPredicate body;

        Shared(final String name, final EventPredicate body) {
            this.name = name;
            this.body = body;
        }

        /** The macro's name. */
        public String name() {
            return name;
        }

        /** The macro's (specialized) condition. */
        public EventPredicate body() {
            return body;
        }

        @Override
        public boolean test(final Event event) {
            return body.test(event);
        }

        @Override
        public String toString() {
            return "Shared[" + name + ": " + body + "]";
        }
    }

    /** A macro's compiled condition, kept as a node so analyses and explanations can name it. */
    record MacroCall(String name, EventPredicate body) implements EventPredicate {
        @Override
        public boolean test(final Event event) {
            return body.test(event);
        }
    }

    /**
     * One comparison. A missing field makes every comparison false, {@code !=} included, as in Falco.
     *
     * @param accessor  where the value comes from
     * @param operator  the operator, for analyses and messages
     * @param operands  the right-hand values after list expansion, as written
     * @param test      the compiled comparison, applied to a present value
     */
    record FieldTest(FieldAccessor accessor, Operator operator, List<String> operands, ValueTest test)
            implements EventPredicate {
        public FieldTest {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(final Event event) {
            final Object value = accessor.read(event);
            return value != null && test.test(value);
        }
    }

    /**
     * A comparison on a field with several values ({@code proc.aname in (sshd, tmux)}: every
     * ancestor; {@code fd.net = "127.0.0.0/8"}: both ends): holds when it holds for at least one
     * value present, as in Falco; false when there is none.
     *
     * @param accessor the values
     * @param operator the operator
     * @param operands the right-hand values after list expansion, as written
     * @param test     the compiled comparison, applied to each value
     */
    record AnyValueTest(MultiValued accessor, Operator operator, List<String> operands, ValueTest test)
            implements EventPredicate {
        public AnyValueTest {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(final Event event) {
            return accessor.anyMatch(event, test);
        }
    }

    /**
     * A comparison of two fields of the same event ({@code proc.name = val(proc.pname)}); false
     * when either is missing, as in Falco.
     *
     * @param left     the field on the left
     * @param operator the operator
     * @param right    the field inside {@code val(...)}
     * @param test     the comparison of two present values
     */
    record FieldsTest(FieldAccessor left, Operator operator, FieldAccessor right, BiPredicate<Object, Object> test)
            implements EventPredicate {
        @Override
        public boolean test(final Event event) {
            final Object a = left.read(event);
            if (a == null) {
                return false;
            }
            final Object b = right.read(event);
            return b != null && test.test(a, b);
        }
    }
}
