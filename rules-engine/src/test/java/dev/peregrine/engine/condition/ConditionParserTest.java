package dev.peregrine.engine.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionParserTest {

    private static Expr parse(final String condition) throws ConditionSyntaxException {
        return ConditionParser.parse(condition);
    }

    @Test
    void notBindsTighterThanAnd() throws Exception {
        final Expr expr = parse("not a and b");
        assertThat(expr).isInstanceOf(Expr.And.class);
        final Expr.And and = (Expr.And) expr;
        assertThat(and.parts().get(0)).isEqualTo(new Expr.Not(new Expr.MacroRef("a", 4), 0));
        assertThat(and.parts().get(1)).isEqualTo(new Expr.MacroRef("b", 10));
    }

    @Test
    void andBindsTighterThanOr() throws Exception {
        final Expr expr = parse("a or b and c");
        assertThat(expr).isInstanceOf(Expr.Or.class);
        final Expr.Or or = (Expr.Or) expr;
        assertThat(or.parts()).hasSize(2);
        assertThat(or.parts().get(1)).isInstanceOf(Expr.And.class);
    }

    @Test
    void parenthesesOverridePrecedence() throws Exception {
        final Expr expr = parse("(a or b) and not (c or d)");
        assertThat(expr).isInstanceOf(Expr.And.class);
        final Expr.And and = (Expr.And) expr;
        assertThat(and.parts().get(0)).isInstanceOf(Expr.Or.class);
        assertThat(and.parts().get(1)).isInstanceOf(Expr.Not.class);
        assertThat(((Expr.Not) and.parts().get(1)).inner()).isInstanceOf(Expr.Or.class);
    }

    @Test
    void chainedOperatorsOfOneKindFormOneNode() throws Exception {
        final Expr expr = parse("a and b and c");
        assertThat(((Expr.And) expr).parts()).hasSize(3);
    }

    @Test
    void doubleNotNests() throws Exception {
        final Expr expr = parse("not not a");
        assertThat(expr).isEqualTo(new Expr.Not(new Expr.Not(new Expr.MacroRef("a", 8), 4), 0));
    }

    @Test
    void symbolOperatorsNeedNoSpaces() throws Exception {
        final Expr.Comparison comparison = (Expr.Comparison) parse("fd.num>=-1");
        assertThat(comparison.field().name()).isEqualTo("fd.num");
        assertThat(comparison.operator()).isEqualTo(Operator.GE);
        assertThat(comparison.values()).containsExactly(new Expr.Value("-1", false, 8));
    }

    @Test
    void doubleEqualsIsEquality() throws Exception {
        assertThat(((Expr.Comparison) parse("proc.name==sh")).operator()).isEqualTo(Operator.EQ2);
    }

    @Test
    void bareValuesMayHoldSlashesDotsDashesStarsAndColons() throws Exception {
        final Expr.Comparison comparison = (Expr.Comparison) parse("fd.name startswith /etc/ssh-keys.d/*:x");
        assertThat(comparison.values().get(0).text()).isEqualTo("/etc/ssh-keys.d/*:x");
        assertThat(comparison.values().get(0).quoted()).isFalse();
    }

    @Test
    void quotedStringsTakeSingleOrDoubleQuotesAndEscapes() throws Exception {
        final Expr.Comparison comparison =
                (Expr.Comparison) parse("proc.cmdline in (\"a \\\"b\\\"\", 'it\\'s', \"tab\\there\", \"x\\.y\")");
        assertThat(comparison.values()).extracting(Expr.Value::text)
                .containsExactly("a \"b\"", "it's", "tab\there", "x\\.y");
        assertThat(comparison.values()).allMatch(Expr.Value::quoted);
    }

    @Test
    void listsTakeBareQuotedAndNumericValues() throws Exception {
        final Expr.Comparison comparison = (Expr.Comparison) parse("proc.name in (sh, \"bash\", 42, my_list)");
        assertThat(comparison.isList()).isTrue();
        assertThat(comparison.values()).extracting(Expr.Value::text).containsExactly("sh", "bash", "42", "my_list");
    }

    @Test
    void emptyListIsAllowed() throws Exception {
        assertThat(((Expr.Comparison) parse("proc.name in ()")).values()).isEmpty();
    }

    @Test
    void existsTakesNoValue() throws Exception {
        final Expr expr = parse("proc.name exists and a");
        final Expr.Comparison comparison = (Expr.Comparison) ((Expr.And) expr).parts().get(0);
        assertThat(comparison.operator()).isEqualTo(Operator.EXISTS);
        assertThat(comparison.values()).isEmpty();
    }

    @Test
    void indexedFieldIsParsedIntoTheTree() throws Exception {
        final Expr.Comparison comparison = (Expr.Comparison) parse("proc.aname[2] = sshd");
        assertThat(comparison.field()).isEqualTo(new Expr.FieldRef("proc.aname", "2", 0, 13));
    }

    @Test
    void keywordsInsideValuesAreValues() throws Exception {
        final Expr.Comparison comparison = (Expr.Comparison) parse("proc.name = and");
        assertThat(comparison.values().get(0).text()).isEqualTo("and");
    }

    @Test
    void unclosedParenthesisIsReportedAtTheParenthesis() {
        final ConditionSyntaxException e = catchThrowableOfType(ConditionSyntaxException.class,
                () -> parse("a and (b or (c)"));
        assertThat(e.offset()).isEqualTo(6);
        assertThat(e.getMessage()).contains("unbalanced parenthesis");
    }

    @Test
    void strayClosingParenthesisIsReportedWhereItIs() {
        final ConditionSyntaxException e = catchThrowableOfType(ConditionSyntaxException.class, () -> parse("a and b)"));
        assertThat(e.offset()).isEqualTo(7);
        assertThat(e.getMessage()).isEqualTo("unbalanced parenthesis: ')' has no matching '('");
    }

    @Test
    void unclosedListIsReportedAtItsParenthesis() {
        final ConditionSyntaxException e = catchThrowableOfType(ConditionSyntaxException.class,
                () -> parse("proc.name in (a, b"));
        assertThat(e.offset()).isEqualTo(13);
    }

    @Test
    void missingValueIsAnError() {
        assertThatThrownBy(() -> parse("proc.name =")).hasMessageContaining("expected a value after '='");
    }

    @Test
    void listOperatorWithoutListIsAnError() {
        assertThatThrownBy(() -> parse("proc.name in sh")).hasMessageContaining("needs a list in parentheses");
    }

    @Test
    void twoNamesInARowAreAnError() {
        final ConditionSyntaxException e = catchThrowableOfType(ConditionSyntaxException.class, () -> parse("a b"));
        assertThat(e.offset()).isEqualTo(2);
    }

    @Test
    void unterminatedStringIsAnError() {
        assertThatThrownBy(() -> parse("proc.name = \"sh")).hasMessageContaining("unterminated string");
    }

    @Test
    void emptyConditionIsAnError() {
        assertThatThrownBy(() -> parse("   ")).hasMessage("empty condition");
    }

    @Test
    void lexerTracksValueModeAfterOperators() throws Exception {
        final List<Token> tokens = Lexer.tokenize("fd.name=/a/b and not x");
        assertThat(tokens).extracting(Token::kind).containsExactly(TokenKind.IDENT, TokenKind.OPERATOR,
                TokenKind.BARE, TokenKind.AND, TokenKind.NOT, TokenKind.IDENT, TokenKind.END);
    }
}
