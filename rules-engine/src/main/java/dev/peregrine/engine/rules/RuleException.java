package dev.peregrine.engine.rules;

import dev.peregrine.engine.condition.Expr;
import dev.peregrine.engine.condition.Operator;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One entry of a rule's {@code exceptions}, as collected: its fields and operators from the rule
 * that defined it, and value rows from that rule and from later {@code append}/{@code override}
 * items. Compiles, as Falco does, to {@code not ((f1 c1 v1 and f2 c2 v2) or …)} appended to the
 * rule's condition; an exception without values adds nothing.
 *
 * <p>Falco's shortcuts (falco.org/docs/concepts/rules/exceptions, "Exception Syntax Shortcuts"):
 * {@code fields} may be one field, then {@code comps} is one of {@code in}, {@code pmatch},
 * {@code intersects} (default {@code in}) and {@code values} is a flat list compared as one list;
 * when {@code fields} is a list, {@code comps} defaults to {@code =} for every field and each value
 * is a tuple. A tuple item for {@code in}/{@code pmatch}/{@code intersects} is a list, whose
 * entries may name lists ({@code [apt, [apt_files]]}).
 */
final class RuleException {

    /** One field of the exception, with its operator; {@code node} is where the field is written. */
    record Column(String field, String argument, Operator operator, YamlText file, Node fieldNode, Node compNode) {
    }

    /** One row of values as written, in the file it was written in. */
    record Row(YamlText file, Node node) {
    }

    final String name;
    final YamlText file;
    final Node node;
    final boolean singleField;
    final List<Column> columns;
    final List<Row> rows = new ArrayList<>();

    RuleException(final String name, final YamlText file, final Node node, final boolean singleField,
                  final List<Column> columns) {
        this.name = name;
        this.file = file;
        this.node = node;
        this.singleField = singleField;
        this.columns = List.copyOf(columns);
    }

    /**
     * Builds the expression an exception excludes, with synthetic offsets: each offset is an index
     * into {@code positions}, which receives the file position it stands for, so compile errors
     * point at the YAML that caused them. Problems with the shape of a row go to {@code problems}.
     *
     * @return the disjunction of the rows, or {@code null} when there is no (usable) row
     */
    Expr build(final List<ConditionText.Located> positions, final List<RuleLoadError> problems, final String rule) {
        final List<Expr> alternatives = new ArrayList<>();
        if (singleField) {
            final List<Expr.Value> values = new ArrayList<>();
            int listOffset = -1;
            for (final Row row : rows) {
                if (listOffset < 0) {
                    listOffset = at(positions, row.file(), row.node());
                }
                collectListValues(row.file(), row.node(), values, positions, problems, rule);
            }
            if (!values.isEmpty()) {
                final Column column = columns.get(0);
                alternatives.add(new Expr.Comparison(fieldRef(column, positions), column.operator(),
                        at(positions, column.file(), column.compNode()), values, true, listOffset));
            }
        } else {
            for (final Row row : rows) {
                final Expr tuple = tuple(row, positions, problems, rule);
                if (tuple != null) {
                    alternatives.add(tuple);
                }
            }
        }
        if (alternatives.isEmpty()) {
            return null;
        }
        return alternatives.size() == 1 ? alternatives.get(0) : new Expr.Or(alternatives, alternatives.get(0).offset());
    }

    private Expr tuple(final Row row, final List<ConditionText.Located> positions, final List<RuleLoadError> problems,
                       final String rule) {
        if (!(row.node() instanceof SequenceNode sequence)) {
            problem(problems, row.file(), row.node(), rule, "each value of exception '" + name + "' must be a tuple "
                    + "[" + String.join(", ", columns.stream().map(Column::field).toList()) + "], one item per field");
            return null;
        }
        final List<Node> items = sequence.getValue();
        if (items.size() != columns.size()) {
            problem(problems, row.file(), row.node(), rule, "value of exception '" + name + "' has " + items.size()
                    + (items.size() == 1 ? " item" : " items") + " but the exception has " + columns.size()
                    + " fields (" + String.join(", ", columns.stream().map(Column::field).toList()) + ")");
            return null;
        }
        final List<Expr> parts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            final Column column = columns.get(i);
            final Node item = items.get(i);
            final int operatorOffset = at(positions, column.file(), column.compNode());
            if (column.operator().arity() == Operator.Arity.LIST) {
                final List<Expr.Value> values = new ArrayList<>();
                collectListValues(row.file(), item, values, positions, problems, rule);
                parts.add(new Expr.Comparison(fieldRef(column, positions), column.operator(), operatorOffset, values,
                        true, at(positions, row.file(), item)));
            } else if (item instanceof ScalarNode scalar) {
                final int offset = at(positions, row.file(), scalar);
                // Quoted: a one-value comparison never expands a list name.
                parts.add(new Expr.Comparison(fieldRef(column, positions), column.operator(), operatorOffset,
                        List.of(new Expr.Value(scalar.getValue(), true, offset)), false, offset));
            } else {
                problem(problems, row.file(), item, rule, "exception '" + name + "' compares '" + column.field()
                        + "' with '" + column.operator() + "', which takes one value, not a list; use 'in' in 'comps'");
                return null;
            }
        }
        return parts.size() == 1 ? parts.get(0) : new Expr.And(parts, parts.get(0).offset());
    }

    /** A list operand: a sequence contributes each entry, a single value stands for a one-entry list (so it may name a list). */
    private void collectListValues(final YamlText file, final Node node, final List<Expr.Value> values,
                                   final List<ConditionText.Located> positions, final List<RuleLoadError> problems,
                                   final String rule) {
        if (node instanceof ScalarNode scalar) {
            values.add(new Expr.Value(scalar.getValue(), false, at(positions, file, scalar)));
        } else if (node instanceof SequenceNode sequence) {
            for (final Node entry : sequence.getValue()) {
                if (entry instanceof ScalarNode scalar) {
                    values.add(new Expr.Value(scalar.getValue(), false, at(positions, file, scalar)));
                } else {
                    problem(problems, file, entry, rule, "values of exception '" + name + "' nest too deep; "
                            + "a list item must be a single value");
                }
            }
        } else {
            problem(problems, file, node, rule, "values of exception '" + name + "' must be values or lists of values");
        }
    }

    private static Expr.FieldRef fieldRef(final Column column, final List<ConditionText.Located> positions) {
        return new Expr.FieldRef(column.field(), column.argument(), at(positions, column.file(), column.fieldNode()), 0);
    }

    private static int at(final List<ConditionText.Located> positions, final YamlText file, final Node node) {
        positions.add(new ConditionText.Located(file, file.positionOf(node)));
        return positions.size() - 1;
    }

    private static void problem(final List<RuleLoadError> problems, final YamlText file, final Node node,
                                final String rule, final String message) {
        final YamlText.Position position = file.positionOf(node);
        problems.add(new RuleLoadError(file.name(), position.line(), position.column(), rule, message));
    }
}
