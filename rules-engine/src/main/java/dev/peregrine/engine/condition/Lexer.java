package dev.peregrine.engine.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a condition into {@link Token}s.
 *
 * <p>Falco's grammar is context-sensitive: after an operator, {@code /etc/passwd} or {@code -1}
 * is one value, while in expression position a word is a field or macro name. The lexer
 * therefore tracks which of the two it is reading, switching to value mode after an operator
 * and to list mode after {@code in}/{@code intersects}/{@code pmatch} and an opening parenthesis.
 * A bare value is, as in Falco, any run of characters other than whitespace, quotes,
 * parentheses, {@code =} and {@code ,}.
 */
public final class Lexer {

    private static final Set<String> WORD_OPERATORS = Set.of("in", "intersects", "pmatch", "contains",
            "icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob", "regex", "exists");

    /** Transformers that may also wrap a field on the right of an operator ({@code tolower(proc.name) = tolower(proc.pname)}). */
    private static final List<String> RIGHT_TRANSFORMERS = List.of("tolower", "toupper", "b64", "basename", "len");

    private enum Mode { EXPRESSION, VALUE, LIST_START, LIST }

    private final String text;
    private int pos;
    private Mode mode = Mode.EXPRESSION;

    private Lexer(final String text) {
        this.text = text;
    }

    /** The tokens of {@code condition}, ending with one {@link TokenKind#END}. */
    public static List<Token> tokenize(final String condition) throws ConditionSyntaxException {
        final Lexer lexer = new Lexer(condition);
        final List<Token> tokens = new ArrayList<>();
        Token token;
        do {
            token = lexer.next();
            tokens.add(token);
        } while (token.kind() != TokenKind.END);
        return tokens;
    }

    private Token next() throws ConditionSyntaxException {
        skipWhitespace();
        if (pos >= text.length()) {
            return new Token(TokenKind.END, "", text.length(), 0);
        }
        return switch (mode) {
            case EXPRESSION -> expressionToken();
            case VALUE -> valueToken();
            case LIST_START -> listStartToken();
            case LIST -> listToken();
        };
    }

    private Token expressionToken() throws ConditionSyntaxException {
        final int start = pos;
        final char c = text.charAt(pos);
        if (c == '(') {
            pos++;
            return new Token(TokenKind.LPAREN, "(", start, 1);
        }
        if (c == ')') {
            pos++;
            return new Token(TokenKind.RPAREN, ")", start, 1);
        }
        if (c == '=' || c == '!' || c == '<' || c == '>') {
            final boolean twoChars = pos + 1 < text.length() && text.charAt(pos + 1) == '=';
            if (c == '!' && !twoChars) {
                throw new ConditionSyntaxException(start, "unexpected '!'; did you mean '!=' or 'not'?");
            }
            pos += twoChars ? 2 : 1;
            mode = Mode.VALUE;
            return new Token(TokenKind.OPERATOR, text.substring(start, pos), start, pos - start);
        }
        if (isIdentifierStart(c)) {
            return word(start);
        }
        if (c == '"' || c == '\'') {
            throw new ConditionSyntaxException(start, "expected a field or macro name, found a quoted string");
        }
        throw new ConditionSyntaxException(start, "unexpected character '" + c + "'");
    }

    private Token word(final int start) throws ConditionSyntaxException {
        while (pos < text.length() && isIdentifierPart(text.charAt(pos))) {
            pos++;
        }
        final String word = text.substring(start, pos);
        switch (word) {
            case "and":
                return new Token(TokenKind.AND, word, start, word.length());
            case "or":
                return new Token(TokenKind.OR, word, start, word.length());
            case "not":
                return new Token(TokenKind.NOT, word, start, word.length());
            default:
                break;
        }
        if (WORD_OPERATORS.contains(word)) {
            mode = switch (word) {
                case "exists" -> Mode.EXPRESSION;
                case "in", "intersects", "pmatch" -> Mode.LIST_START;
                default -> Mode.VALUE;
            };
            return new Token(TokenKind.OPERATOR, word, start, word.length());
        }
        // A field argument, e.g. proc.aname[2] or proc.env[HOME], belongs to the name.
        if (pos < text.length() && text.charAt(pos) == '[') {
            final int close = text.indexOf(']', pos);
            if (close < 0) {
                throw new ConditionSyntaxException(pos, "unbalanced bracket: '[' is never closed");
            }
            pos = close + 1;
        }
        return new Token(TokenKind.IDENT, text.substring(start, pos), start, pos - start);
    }

    private Token valueToken() throws ConditionSyntaxException {
        final char c = text.charAt(pos);
        if (c == '(') {
            // A list after a one-value operator; the parser says what is wrong with it.
            mode = Mode.LIST;
            pos++;
            return new Token(TokenKind.LPAREN, "(", pos - 1, 1);
        }
        mode = Mode.EXPRESSION;
        if (text.startsWith("val(", pos)) {
            return fieldValue();
        }
        final String transformer = RIGHT_TRANSFORMERS.stream().filter(t -> text.startsWith(t + "(", pos)).findFirst()
                .orElse(null);
        if (transformer != null) {
            return transformedFieldValue();
        }
        return scalar();
    }

    /** {@code tolower(proc.pname)} on the right: a transformed field of the same event, like {@code val(...)}. */
    private Token transformedFieldValue() throws ConditionSyntaxException {
        final int start = pos;
        int depth = 0;
        int i = pos;
        while (i < text.length()) {
            final char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                break;
            }
            i++;
        }
        if (depth != 0) {
            throw new ConditionSyntaxException(start, "unbalanced parenthesis: '" + text.substring(start, text.indexOf('(', start) + 1)
                    + "' is never closed");
        }
        pos = i + 1;
        return new Token(TokenKind.FIELD_VALUE, text.substring(start, pos), start, pos - start);
    }

    /** {@code val(proc.pname)}: compare with another field of the same event (Falco 0.37+). */
    private Token fieldValue() throws ConditionSyntaxException {
        final int start = pos;
        final int close = text.indexOf(')', pos);
        if (close < 0) {
            throw new ConditionSyntaxException(start, "unbalanced parenthesis: 'val(' is never closed");
        }
        final String inner = text.substring(pos + 4, close).strip();
        if (inner.isEmpty() || !isIdentifierStart(inner.charAt(0))
                || !inner.chars().allMatch(c -> isIdentifierPart((char) c) || c == '[' || c == ']')) {
            throw new ConditionSyntaxException(start + 4, "'val(...)' takes one field name, e.g. val(proc.pname)");
        }
        pos = close + 1;
        return new Token(TokenKind.FIELD_VALUE, inner, start, pos - start);
    }

    private Token listStartToken() throws ConditionSyntaxException {
        if (text.charAt(pos) == '(') {
            mode = Mode.LIST;
            pos++;
            return new Token(TokenKind.LPAREN, "(", pos - 1, 1);
        }
        // No list: read one value and let the parser report that a list was expected.
        mode = Mode.EXPRESSION;
        return scalar();
    }

    private Token listToken() throws ConditionSyntaxException {
        final int start = pos;
        final char c = text.charAt(pos);
        if (c == ')') {
            pos++;
            mode = Mode.EXPRESSION;
            return new Token(TokenKind.RPAREN, ")", start, 1);
        }
        if (c == ',') {
            pos++;
            return new Token(TokenKind.COMMA, ",", start, 1);
        }
        if (c == '(') {
            throw new ConditionSyntaxException(start, "unexpected '(' inside a list; lists cannot be nested");
        }
        return scalar();
    }

    private Token scalar() throws ConditionSyntaxException {
        final int start = pos;
        final char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return quoted(c);
        }
        while (pos < text.length() && isBareValueChar(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw new ConditionSyntaxException(start, "expected a value, found '" + c + "'");
        }
        return new Token(TokenKind.BARE, text.substring(start, pos), start, pos - start);
    }

    private Token quoted(final char quote) throws ConditionSyntaxException {
        final int start = pos;
        pos++;
        final StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            final char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return new Token(TokenKind.STRING, value.toString(), start, pos - start);
            }
            if (c == '\\' && pos + 1 < text.length()) {
                final char escaped = text.charAt(pos + 1);
                switch (escaped) {
                    case '\\', '"', '\'' -> value.append(escaped);
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'r' -> value.append('\r');
                    // Keep unknown escapes as written, so regex-like values ("\.") survive.
                    default -> value.append(c).append(escaped);
                }
                pos += 2;
                continue;
            }
            value.append(c);
            pos++;
        }
        throw new ConditionSyntaxException(start, "unterminated string: " + quote + " is never closed");
    }

    private void skipWhitespace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isIdentifierStart(final char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isIdentifierPart(final char c) {
        return isIdentifierStart(c) || c >= '0' && c <= '9' || c == '.';
    }

    private static boolean isBareValueChar(final char c) {
        return !Character.isWhitespace(c) && c != '(' && c != ')' && c != '"' && c != '\''
                && c != '=' && c != ',';
    }
}
