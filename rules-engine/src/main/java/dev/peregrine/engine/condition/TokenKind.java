package dev.peregrine.engine.condition;

/** What a {@link Token} of a condition is. */
public enum TokenKind {
    /** {@code (} */
    LPAREN,
    /** {@code )} */
    RPAREN,
    /** {@code ,} between list values. */
    COMMA,
    /** The keyword {@code and}. */
    AND,
    /** The keyword {@code or}. */
    OR,
    /** The keyword {@code not}. */
    NOT,
    /** A field or macro name, possibly with an argument: {@code proc.name}, {@code proc.aname[2]}. */
    IDENT,
    /** A comparison operator: symbolic ({@code =}, {@code >=}) or a word ({@code contains}, {@code in}). */
    OPERATOR,
    /** A quoted value; {@link Token#text()} is the value with quotes removed and escapes applied. */
    STRING,
    /** An unquoted value such as {@code /etc/} or {@code -1}. */
    BARE,
    /** {@code val(field)} on the right of an operator; {@link Token#text()} is the field name. */
    FIELD_VALUE,
    /** End of the condition. */
    END
}
