package dev.peregrine.engine.condition;

/** A condition that cannot be parsed; {@link #offset()} points at the offending character. */
public final class ConditionSyntaxException extends Exception {

    private final int offset;

    /**
     * @param offset  0-based character offset into the condition
     * @param message what is wrong, in a rule author's words
     */
    public ConditionSyntaxException(final int offset, final String message) {
        super(message);
        this.offset = offset;
    }

    /** Where in the condition the problem is (0-based). */
    public int offset() {
        return offset;
    }
}
