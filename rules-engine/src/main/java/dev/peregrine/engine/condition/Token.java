package dev.peregrine.engine.condition;

/**
 * One token of a condition.
 *
 * @param kind   what it is
 * @param text   its text; for {@link TokenKind#STRING} the unquoted, unescaped value
 * @param offset where it starts in the condition (0-based character offset)
 * @param length how many characters of the condition it spans (quotes included)
 */
public record Token(TokenKind kind, String text, int offset, int length) {

    /** How the token reads in an error message. */
    public String describe() {
        return switch (kind) {
            case END -> "end of condition";
            case STRING -> "string \"" + text + "\"";
            default -> "'" + text + "'";
        };
    }
}
