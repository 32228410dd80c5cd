package dev.peregrine.engine.condition;

/**
 * A problem found while compiling a parsed condition.
 *
 * @param offset  0-based offset into the condition of the token at fault
 * @param message what is wrong, in a rule author's words
 */
public record CompileError(int offset, String message) {
}
