package dev.peregrine.engine.condition;

import java.util.List;

/** The syntax tree of a parsed condition, before names are resolved. Offsets are 0-based into the condition text. */
public sealed interface Expr {

    /** Where the expression starts in the condition. */
    int offset();

    /** All of {@code parts} hold. */
    record And(List<Expr> parts, int offset) implements Expr {
        public And {
            parts = List.copyOf(parts);
        }
    }

    /** At least one of {@code parts} holds. */
    record Or(List<Expr> parts, int offset) implements Expr {
        public Or {
            parts = List.copyOf(parts);
        }
    }

    /** {@code inner} does not hold. */
    record Not(Expr inner, int offset) implements Expr {
    }

    /** A bare name in expression position: a macro, replaced by its condition at compile time. */
    record MacroRef(String name, int offset) implements Expr {
    }

    /**
     * A comparison {@code field operator values}.
     *
     * @param field          the left-hand side
     * @param operator       the operator
     * @param operatorOffset where the operator is written
     * @param values         no value ({@code exists}), one, or a list's values in order
     * @param isList         whether the values were written as a parenthesised list
     * @param valuesOffset   where the value or list starts
     */
    record Comparison(FieldRef field, Operator operator, int operatorOffset, List<Value> values,
                      boolean isList, int valuesOffset) implements Expr {
        public Comparison {
            values = List.copyOf(values);
        }

        @Override
        public int offset() {
            return field.offset();
        }
    }

    /**
     * A field name on the left of an operator (or inside {@code val(...)} on the right).
     *
     * @param name         the dotted name, without argument
     * @param argument     the text inside {@code [...]} ({@code 2} in {@code proc.aname[2]}), or {@code null}
     * @param offset       where the name starts
     * @param length       how long the name with its argument is
     * @param transformers Falco transformers applied to the value, outermost first
     *                     ({@code [tolower, basename]} for {@code tolower(basename(proc.exe))})
     */
    record FieldRef(String name, String argument, int offset, int length, List<Transformer> transformers) {
        public FieldRef {
            transformers = List.copyOf(transformers);
        }

        /** A field without transformers. */
        public FieldRef(final String name, final String argument, final int offset, final int length) {
            this(name, argument, offset, length, List.of());
        }
    }

    /**
     * A transformer applied to a field, as written.
     *
     * @param name   {@code tolower}, {@code toupper}, {@code b64}, {@code basename} or {@code len}
     * @param offset where its name is written
     */
    record Transformer(String name, int offset) {
    }

    /**
     * A value on the right of an operator.
     *
     * @param text   the value, unquoted; for {@code val(field)} the field's name
     * @param quoted whether it was written in quotes (a quoted value never names a list)
     * @param offset where it is written
     * @param field  for {@code val(proc.pname)}: the field whose value is compared, else {@code null}
     */
    record Value(String text, boolean quoted, int offset, FieldRef field) {

        /** A literal value. */
        public Value(final String text, final boolean quoted, final int offset) {
            this(text, quoted, offset, null);
        }
    }
}
