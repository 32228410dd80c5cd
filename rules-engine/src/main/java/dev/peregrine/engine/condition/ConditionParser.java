package dev.peregrine.engine.condition;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for conditions. Precedence, tightest first: {@code not}, {@code and},
 * {@code or}; parentheses group.
 *
 * <pre>
 * condition  := or END
 * or         := and ('or' and)*
 * and        := not ('and' not)*
 * not        := 'not' not | primary
 * primary    := '(' or ')' | field (OPERATOR operand?)? | IDENT
 * field      := IDENT | IDENT '(' field ')'          -- transformers: tolower(proc.name)
 * operand    := value | 'val(' IDENT ')' | '(' [value (',' value)*] ')'
 * </pre>
 */
public final class ConditionParser {

    private final List<Token> tokens;
    private int index;

    private ConditionParser(final List<Token> tokens) {
        this.tokens = tokens;
    }

    /** The syntax tree of {@code condition}; throws at the first syntax error. */
    public static Expr parse(final String condition) throws ConditionSyntaxException {
        final ConditionParser parser = new ConditionParser(Lexer.tokenize(condition));
        if (parser.peek().kind() == TokenKind.END) {
            throw new ConditionSyntaxException(0, "empty condition");
        }
        final Expr expr = parser.or();
        final Token rest = parser.peek();
        if (rest.kind() == TokenKind.RPAREN) {
            throw new ConditionSyntaxException(rest.offset(), "unbalanced parenthesis: ')' has no matching '('");
        }
        if (rest.kind() != TokenKind.END) {
            throw new ConditionSyntaxException(rest.offset(),
                    "expected 'and', 'or' or the end of the condition, found " + rest.describe());
        }
        return expr;
    }

    private Expr or() throws ConditionSyntaxException {
        final Expr first = and();
        if (peek().kind() != TokenKind.OR) {
            return first;
        }
        final List<Expr> parts = new ArrayList<>();
        parts.add(first);
        while (peek().kind() == TokenKind.OR) {
            index++;
            parts.add(and());
        }
        return new Expr.Or(parts, first.offset());
    }

    private Expr and() throws ConditionSyntaxException {
        final Expr first = not();
        if (peek().kind() != TokenKind.AND) {
            return first;
        }
        final List<Expr> parts = new ArrayList<>();
        parts.add(first);
        while (peek().kind() == TokenKind.AND) {
            index++;
            parts.add(not());
        }
        return new Expr.And(parts, first.offset());
    }

    private Expr not() throws ConditionSyntaxException {
        final Token token = peek();
        if (token.kind() == TokenKind.NOT) {
            index++;
            return new Expr.Not(not(), token.offset());
        }
        return primary();
    }

    private Expr primary() throws ConditionSyntaxException {
        final Token token = next();
        switch (token.kind()) {
            case LPAREN: {
                final Expr inner = or();
                final Token close = next();
                if (close.kind() == TokenKind.END) {
                    throw new ConditionSyntaxException(token.offset(), "unbalanced parenthesis: '(' is never closed");
                }
                if (close.kind() != TokenKind.RPAREN) {
                    throw new ConditionSyntaxException(close.offset(),
                            "expected 'and', 'or' or ')', found " + close.describe());
                }
                return inner;
            }
            case IDENT:
                return afterName(token);
            case RPAREN:
                throw new ConditionSyntaxException(token.offset(),
                        "expected a comparison, a macro or '(', found ')'");
            case END:
                throw new ConditionSyntaxException(token.offset(), "unexpected end of condition");
            default:
                throw new ConditionSyntaxException(token.offset(),
                        "expected a comparison, a macro or '(', found " + token.describe());
        }
    }

    private Expr afterName(final Token name) throws ConditionSyntaxException {
        final Token following = peek();
        final Expr.FieldRef field;
        if (following.kind() == TokenKind.LPAREN) {
            field = transformed(name);
            if (peek().kind() != TokenKind.OPERATOR) {
                throw new ConditionSyntaxException(peek().kind() == TokenKind.END ? name.offset() : peek().offset(),
                        "expected an operator after '" + name.text() + "(...)', found " + peek().describe());
            }
        } else if (following.kind() != TokenKind.OPERATOR) {
            return new Expr.MacroRef(name.text(), name.offset());
        } else {
            field = fieldRef(name);
        }
        final Token operatorToken = next();
        final Operator operator = Operator.bySymbol(operatorToken.text())
                .orElseThrow(() -> new ConditionSyntaxException(operatorToken.offset(),
                        "unknown operator '" + operatorToken.text() + "'"));
        return comparison(field, operator, operatorToken);
    }

    /** {@code tolower(proc.name)}, possibly nested: the field with its transformers, outermost first. */
    private Expr.FieldRef transformed(final Token function) throws ConditionSyntaxException {
        next(); // '('
        final Token inner = next();
        if (inner.kind() != TokenKind.IDENT) {
            throw new ConditionSyntaxException(inner.kind() == TokenKind.END ? function.offset() : inner.offset(),
                    "expected a field inside '" + function.text() + "(...)', found " + inner.describe());
        }
        final Expr.FieldRef field = peek().kind() == TokenKind.LPAREN ? transformed(inner) : fieldRef(inner);
        final Token close = next();
        if (close.kind() != TokenKind.RPAREN) {
            throw new ConditionSyntaxException(close.kind() == TokenKind.END ? function.offset() : close.offset(),
                    "expected ')' to close '" + function.text() + "(', found " + close.describe());
        }
        final List<Expr.Transformer> transformers = new ArrayList<>();
        transformers.add(new Expr.Transformer(function.text(), function.offset()));
        transformers.addAll(field.transformers());
        return new Expr.FieldRef(field.name(), field.argument(), field.offset(), field.length(), transformers);
    }

    private Expr comparison(final Expr.FieldRef field, final Operator operator, final Token following)
            throws ConditionSyntaxException {
        return switch (operator.arity()) {
            case NONE -> new Expr.Comparison(field, operator, following.offset(), List.of(), false, following.offset());
            case ONE -> oneValue(field, operator, following);
            case LIST -> listValue(field, operator, following);
        };
    }

    private Expr oneValue(final Expr.FieldRef field, final Operator operator, final Token operatorToken)
            throws ConditionSyntaxException {
        final Token value = next();
        if (value.kind() == TokenKind.LPAREN) {
            throw new ConditionSyntaxException(value.offset(), "operator '" + operator
                    + "' takes one value, not a list; use 'in' to compare with a list");
        }
        if (value.kind() == TokenKind.FIELD_VALUE) {
            final Expr.FieldRef other = value.text().indexOf('(') < 0
                    ? fieldRef(new Token(TokenKind.IDENT, value.text(), value.offset() + 4, value.text().length()))
                    : transformedValue(value);
            return new Expr.Comparison(field, operator, operatorToken.offset(),
                    List.of(new Expr.Value(value.text(), false, value.offset(), other)), false, value.offset());
        }
        if (value.kind() != TokenKind.BARE && value.kind() != TokenKind.STRING) {
            throw new ConditionSyntaxException(value.kind() == TokenKind.END ? operatorToken.offset() : value.offset(),
                    "expected a value after '" + operator + "', found " + value.describe());
        }
        return new Expr.Comparison(field, operator, operatorToken.offset(), List.of(toValue(value)), false, value.offset());
    }

    private Expr listValue(final Expr.FieldRef field, final Operator operator, final Token operatorToken)
            throws ConditionSyntaxException {
        final Token open = next();
        if (open.kind() != TokenKind.LPAREN) {
            throw new ConditionSyntaxException(open.kind() == TokenKind.END ? operatorToken.offset() : open.offset(),
                    "operator '" + operator + "' needs a list in parentheses, e.g. " + operator + " (a, b)");
        }
        final List<Expr.Value> values = new ArrayList<>();
        boolean expectValue = true;
        while (true) {
            final Token token = next();
            switch (token.kind()) {
                case RPAREN:
                    return new Expr.Comparison(field, operator, operatorToken.offset(), values, true, open.offset());
                case COMMA:
                    if (expectValue) {
                        throw new ConditionSyntaxException(token.offset(), "expected a list value before ','");
                    }
                    expectValue = true;
                    break;
                case BARE:
                case STRING:
                    if (!expectValue) {
                        throw new ConditionSyntaxException(token.offset(),
                                "expected ',' or ')' in the list, found " + token.describe());
                    }
                    values.add(toValue(token));
                    expectValue = false;
                    break;
                case END:
                    throw new ConditionSyntaxException(open.offset(), "unbalanced parenthesis: list '(' is never closed");
                default:
                    throw new ConditionSyntaxException(token.offset(), "unexpected " + token.describe() + " in a list");
            }
        }
    }

    /** {@code tolower(basename(proc.exe))} written on the right, as one token: its field and transformers. */
    private static Expr.FieldRef transformedValue(final Token token) throws ConditionSyntaxException {
        final List<Expr.Transformer> transformers = new ArrayList<>();
        String rest = token.text();
        int offset = token.offset();
        int open = rest.indexOf('(');
        while (open >= 0) {
            final String name = rest.substring(0, open).strip();
            if (!rest.endsWith(")") || name.isEmpty()) {
                throw new ConditionSyntaxException(offset, "expected a field or a transformer such as tolower(proc.name)");
            }
            transformers.add(new Expr.Transformer(name, offset));
            final String inner = rest.substring(open + 1, rest.length() - 1);
            offset += open + 1 + (inner.length() - inner.stripLeading().length());
            rest = inner.strip();
            open = rest.indexOf('(');
        }
        if (rest.isEmpty()) {
            throw new ConditionSyntaxException(offset, "expected a field inside '" + transformers.get(transformers.size() - 1).name()
                    + "(...)'");
        }
        final Expr.FieldRef field = fieldRef(new Token(TokenKind.IDENT, rest, offset, rest.length()));
        return new Expr.FieldRef(field.name(), field.argument(), field.offset(), field.length(), transformers);
    }

    private static Expr.FieldRef fieldRef(final Token name) {
        final String text = name.text();
        final int bracket = text.indexOf('[');
        if (bracket < 0) {
            return new Expr.FieldRef(text, null, name.offset(), name.length());
        }
        return new Expr.FieldRef(text.substring(0, bracket), text.substring(bracket + 1, text.length() - 1),
                name.offset(), name.length());
    }

    private static Expr.Value toValue(final Token token) {
        return new Expr.Value(token.text(), token.kind() == TokenKind.STRING, token.offset());
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token next() {
        final Token token = tokens.get(index);
        if (token.kind() != TokenKind.END) {
            index++;
        }
        return token;
    }
}
