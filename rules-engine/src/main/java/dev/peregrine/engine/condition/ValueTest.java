package dev.peregrine.engine.condition;

/** The right-hand side of one comparison, compiled: tests a field value that is present. */
@FunctionalInterface
public interface ValueTest {

    /** Whether {@code value} (never {@code null}) satisfies the comparison. */
    boolean test(Object value);
}
