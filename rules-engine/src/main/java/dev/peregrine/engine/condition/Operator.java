package dev.peregrine.engine.condition;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The comparison operators of the condition language, as Falco spells them. */
public enum Operator {
    EQ("="),
    EQ2("=="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    IN("in"),
    INTERSECTS("intersects"),
    PMATCH("pmatch"),
    CONTAINS("contains"),
    ICONTAINS("icontains"),
    BCONTAINS("bcontains"),
    STARTSWITH("startswith"),
    BSTARTSWITH("bstartswith"),
    ENDSWITH("endswith"),
    GLOB("glob"),
    IGLOB("iglob"),
    REGEX("regex"),
    EXISTS("exists");

    /** How many values follow the operator. */
    public enum Arity {
        /** None: {@code exists}. */
        NONE,
        /** Exactly one value. */
        ONE,
        /** A parenthesised list of values. */
        LIST
    }

    private static final Map<String, Operator> BY_SYMBOL = new HashMap<>();

    static {
        for (final Operator operator : values()) {
            BY_SYMBOL.put(operator.symbol, operator);
        }
    }

    private final String symbol;

    Operator(final String symbol) {
        this.symbol = symbol;
    }

    /** The operator as written in a condition. */
    public String symbol() {
        return symbol;
    }

    /** The operator written as {@code symbol}, if there is one. */
    public static Optional<Operator> bySymbol(final String symbol) {
        return Optional.ofNullable(BY_SYMBOL.get(symbol));
    }

    /** What follows the operator. */
    public Arity arity() {
        return switch (this) {
            case EXISTS -> Arity.NONE;
            case IN, INTERSECTS, PMATCH -> Arity.LIST;
            default -> Arity.ONE;
        };
    }

    /** Whether the operator orders values, so needs numbers on both sides. */
    public boolean isOrdering() {
        return this == LT || this == LE || this == GT || this == GE;
    }

    /** Whether the operator only makes sense on text. */
    public boolean needsString() {
        return switch (this) {
            case PMATCH, CONTAINS, ICONTAINS, BCONTAINS, STARTSWITH, BSTARTSWITH, ENDSWITH, GLOB, IGLOB, REGEX -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return symbol;
    }
}
