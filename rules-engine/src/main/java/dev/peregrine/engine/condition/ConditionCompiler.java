package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.StandardFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a parsed condition into an {@link EventPredicate}: resolves field names to slots,
 * macros to their compiled conditions and list names to their items, and type-checks every
 * comparison. Collects every error instead of stopping at the first.
 *
 * <p>Field names: a name the registry knows is read from its slot; a name in a namespace the
 * registry owns ({@code proc.}, {@code fd.}, …) but does not know is an error with a
 * did-you-mean; a name in any other namespace ({@code k8s.ns.name}, {@code ka.user.name}) is an
 * input's own key, read from {@link dev.peregrine.collector.event.Event#extra} and compared as
 * text (or as a number, for {@code <}, {@code >}…).
 *
 * <p>Ancestor fields: {@code proc.aname[N]}, {@code proc.apid[N]}, {@code proc.aexe[N]},
 * {@code proc.aexepath[N]} read the event's ancestry (1 = parent, 2 = grandparent, 0 = the
 * process itself); without index a condition on them holds when it holds for any ancestor.
 * Other indexed fields are not supported yet. Falco's filter-only {@code fd.ip}, {@code fd.net},
 * {@code fd.cnet}, {@code fd.snet} read {@code fd.cip}/{@code fd.sip}; the {@code net} ones
 * compare with CIDR blocks.
 *
 * <p>Falco's transformers ({@code tolower}, {@code toupper}, {@code b64}, {@code basename},
 * {@code len}) wrap the left-hand field; {@code val(field)} on the right compares two fields of
 * the same event. Type errors name the field and say what the operator needs.
 */
public final class ConditionCompiler {

    private final FieldRegistry registry;

    /** @param registry the fields conditions may name */
    public ConditionCompiler(final FieldRegistry registry) {
        this.registry = Objects.requireNonNull(registry);
    }

    /**
     * The result of compiling one condition.
     *
     * @param predicate the compiled condition, or {@code null} when there were errors
     * @param errors    every problem found, in condition order
     */
    public record Result(EventPredicate predicate, List<CompileError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        /** Whether the condition compiled without errors. */
        public boolean ok() {
            return predicate != null && errors.isEmpty();
        }
    }

    /** Parses and compiles {@code condition}; syntax errors come back as a single {@link CompileError}. */
    public Result compile(final String condition, final ConditionScope scope) {
        final Expr expr;
        try {
            expr = ConditionParser.parse(condition);
        } catch (final ConditionSyntaxException e) {
            return new Result(null, List.of(new CompileError(e.offset(), e.getMessage())));
        }
        return compile(expr, scope);
    }

    /** Compiles a parsed condition. */
    public Result compile(final Expr expr, final ConditionScope scope) {
        final List<CompileError> errors = new ArrayList<>();
        final EventPredicate predicate = new Run(scope, errors).compile(expr);
        return new Result(errors.isEmpty() ? predicate : null, errors);
    }

    /** Resolves a field name for a condition or an output template; {@code problem} says why not. */
    public FieldResolution resolveField(final String name, final String argument) {
        final Optional<AncestorAttribute> ancestor = AncestorAttribute.of(name);
        if (ancestor.isPresent()) {
            if (argument == null) {
                return new FieldResolution(new FieldAccessor.AnyAncestor(ancestor.get()), null);
            }
            final String problem = ancestorIndexProblem(name, argument);
            if (problem != null) {
                return FieldResolution.failure(problem);
            }
            return new FieldResolution(new FieldAccessor.Ancestor(ancestor.get(), Integer.parseInt(argument.strip())),
                    null);
        }
        if (argument != null) {
            return FieldResolution.failure("indexed fields such as '" + name + "[" + argument
                    + "]' are not supported yet");
        }
        final Optional<Field> field = registry.find(name);
        if (field.isPresent()) {
            return new FieldResolution(new FieldAccessor.Slot(field.get()), null);
        }
        final FieldAccessor.Endpoints endpoints = endpoints(name);
        if (endpoints != null) {
            return new FieldResolution(endpoints, null);
        }
        if (registry.ownsNamespaceOf(name)) {
            return FieldResolution.failure(unknownField(name));
        }
        return new FieldResolution(new FieldAccessor.Extra(name), null);
    }

    /**
     * A field name resolved to an accessor, or the reason it could not be.
     *
     * @param accessor how to read it, or {@code null}
     * @param problem  what is wrong, or {@code null}
     */
    public record FieldResolution(FieldAccessor accessor, String problem) {
        static FieldResolution failure(final String problem) {
            return new FieldResolution(null, problem);
        }
    }

    /** Falco's filter-only endpoint fields, or {@code null} for another name. */
    private static FieldAccessor.Endpoints endpoints(final String name) {
        return switch (name) {
            case "fd.ip" -> new FieldAccessor.Endpoints(name, List.of(StandardFields.FD_CIP, StandardFields.FD_SIP), false);
            case "fd.net" -> new FieldAccessor.Endpoints(name, List.of(StandardFields.FD_CIP, StandardFields.FD_SIP), true);
            case "fd.cnet" -> new FieldAccessor.Endpoints(name, List.of(StandardFields.FD_CIP), true);
            case "fd.snet" -> new FieldAccessor.Endpoints(name, List.of(StandardFields.FD_SIP), true);
            default -> null;
        };
    }

    /** Why {@code argument} is no index for the ancestor field {@code name}, or {@code null} when it is one. */
    private static String ancestorIndexProblem(final String name, final String argument) {
        final String text = argument.strip();
        if (!text.matches("-?[0-9]{1,9}")) {
            return "the index of '" + name + "[" + argument + "]' must be a whole number: " + name
                    + "[1] is the parent, " + name + "[2] the grandparent, " + name + "[0] the process itself";
        }
        if (text.startsWith("-")) {
            return "the index of '" + name + "[" + argument + "]' cannot be negative: " + name
                    + "[1] is the parent, " + name + "[2] the grandparent, " + name + "[0] the process itself";
        }
        return null;
    }

    private String unknownField(final String name) {
        return "unknown field '" + name + "'" + registry.closest(name).map(c -> " (did you mean '" + c + "'?)").orElse("");
    }

    /** One compilation: the scope and the errors collected so far. */
    private final class Run {
        private final ConditionScope scope;
        private final List<CompileError> errors;

        Run(final ConditionScope scope, final List<CompileError> errors) {
            this.scope = scope;
            this.errors = errors;
        }

        /** The predicate, or {@code null} when this part has errors (recorded). */
        EventPredicate compile(final Expr expr) {
            if (expr instanceof Expr.And and) {
                final List<EventPredicate> parts = compileAll(and.parts(), true);
                return parts == null ? null : new EventPredicate.AllOf(parts);
            }
            if (expr instanceof Expr.Or or) {
                final List<EventPredicate> parts = compileAll(or.parts(), false);
                return parts == null ? null : new EventPredicate.AnyOf(parts);
            }
            if (expr instanceof Expr.Not not) {
                final EventPredicate inner = compile(not.inner());
                return inner == null ? null : new EventPredicate.Negation(inner);
            }
            if (expr instanceof Expr.MacroRef ref) {
                return macro(ref);
            }
            return comparison((Expr.Comparison) expr);
        }

        private List<EventPredicate> compileAll(final List<Expr> exprs, final boolean and) {
            final List<EventPredicate> parts = new ArrayList<>();
            boolean failed = false;
            for (final Expr part : exprs) {
                final EventPredicate compiled = compile(part);
                if (compiled == null) {
                    failed = true;
                } else if (and && compiled instanceof EventPredicate.AllOf nested) {
                    // (a and b) and c evaluates as one flat list: fewer calls per event
                    parts.addAll(nested.parts());
                } else if (!and && compiled instanceof EventPredicate.AnyOf nested) {
                    parts.addAll(nested.parts());
                } else {
                    parts.add(compiled);
                }
            }
            return failed ? null : parts;
        }

        private EventPredicate macro(final Expr.MacroRef ref) {
            final Optional<ConditionScope.MacroLookup> lookup = scope.macro(ref.name());
            if (lookup.isEmpty()) {
                if (registry.find(ref.name()).isPresent()) {
                    error(ref.offset(), "field '" + ref.name() + "' needs an operator and a value, e.g. "
                            + ref.name() + " = " + example(registry.find(ref.name()).get().type()));
                } else {
                    error(ref.offset(), "undefined macro '" + ref.name() + "'");
                }
                return null;
            }
            final ConditionScope.MacroLookup found = lookup.get();
            if (found.predicate() == null) {
                if (found.problem() != null) {
                    error(ref.offset(), found.problem());
                }
                return null;
            }
            return new EventPredicate.MacroCall(ref.name(), found.predicate());
        }

        private EventPredicate comparison(final Expr.Comparison comparison) {
            final Expr.FieldRef ref = comparison.field();
            final FieldAccessor accessor = accessor(ref);
            if (accessor == null) {
                return null;
            }
            final String fieldName = accessor.name();
            final Operator operator = comparison.operator();
            final FieldType type = accessor.type();
            if (type != null && operator.isOrdering() && !type.isNumeric()) {
                error(comparison.operatorOffset(), "operator '" + operator + "' needs a numeric field, but '"
                        + fieldName + "' is " + article(type));
                return null;
            }
            if (type != null && operator.needsString() && type != FieldType.STRING) {
                error(comparison.operatorOffset(), "operator '" + operator + "' needs a string field, but '"
                        + fieldName + "' is " + article(type));
                return null;
            }
            if (comparison.values().size() == 1 && comparison.values().get(0).field() != null) {
                return fieldsComparison(accessor, operator, comparison);
            }
            final List<Operand> operands = expand(comparison);
            final List<String> texts = operands.stream().map(Operand::text).toList();
            final ValueTest test = accessor instanceof FieldAccessor.Endpoints endpoints && endpoints.network()
                    ? networkTest(comparison, operator, operands) : valueTest(fieldName, type, operator, operands);
            if (test != null && accessor instanceof MultiValued values) {
                return new EventPredicate.AnyValueTest(values, operator, texts, test);
            }
            return test == null ? null : new EventPredicate.FieldTest(accessor, operator, texts, test);
        }

        /** The field a comparison reads, with its transformers; {@code null} when wrong (reported). */
        private FieldAccessor accessor(final Expr.FieldRef ref) {
            if (ref.argument() != null && AncestorAttribute.of(ref.name()).isPresent()) {
                final String problem = ancestorIndexProblem(ref.name(), ref.argument());
                if (problem != null) {
                    // Point at the index itself: proc.aname[x] → the x.
                    error(ref.offset() + ref.name().length() + 1, problem);
                    return null;
                }
            }
            final FieldResolution resolution = resolveField(ref.name(), ref.argument());
            if (resolution.accessor() == null) {
                error(ref.offset(), resolution.problem());
                return null;
            }
            if (ref.transformers().isEmpty()) {
                return resolution.accessor();
            }
            FieldType type = resolution.accessor().type();
            String described = ref.name();
            final List<Expr.Transformer> transformers = ref.transformers();
            for (int i = transformers.size() - 1; i >= 0; i--) {
                final Expr.Transformer transformer = transformers.get(i);
                if (!TRANSFORMERS.contains(transformer.name())) {
                    error(transformer.offset(), "unknown transformer '" + transformer.name() + "'; expected one of "
                            + String.join(", ", TRANSFORMERS));
                    return null;
                }
                if (type != null && type != FieldType.STRING) {
                    error(transformer.offset(), "transformer '" + transformer.name() + "' needs a string, but '"
                            + described + "' is " + article(type));
                    return null;
                }
                type = transformer.name().equals("len") ? FieldType.INT : FieldType.STRING;
                described = transformer.name() + "(" + described + ")";
            }
            return new FieldAccessor.Transformed(resolution.accessor(),
                    transformers.stream().map(Expr.Transformer::name).toList());
        }

        /** {@code field op val(other)}: both fields read per event and compared as values of one type. */
        private EventPredicate fieldsComparison(final FieldAccessor left, final Operator operator,
                                                final Expr.Comparison comparison) {
            final Expr.Value value = comparison.values().get(0);
            final FieldAccessor right = accessor(value.field());
            if (right == null) {
                return null;
            }
            if (operator == Operator.PMATCH || operator == Operator.REGEX || operator == Operator.GLOB
                    || operator == Operator.IGLOB || operator == Operator.BCONTAINS || operator == Operator.BSTARTSWITH) {
                // As in libsinsp: these operators compile their right-hand side once, so it must be a constant.
                error(comparison.operatorOffset(), "operator '" + operator + "' cannot compare with another field; "
                        + "use a constant value");
                return null;
            }
            final FieldType leftType = left.type();
            final FieldType rightType = right.type();
            if (leftType != null && rightType != null && leftType != rightType
                    && !(leftType.isNumeric() && rightType.isNumeric())) {
                error(value.offset(), "'" + left.name() + "' is " + article(leftType) + " but '" + right.name()
                        + "' is " + article(rightType) + "; val() compares fields of the same type");
                return null;
            }
            final boolean numeric = leftType != null && leftType.isNumeric() || rightType != null && rightType.isNumeric();
            final BiPredicate<Object, Object> test;
            if (numeric) {
                test = switch (operator) {
                    case EQ, EQ2, IN, INTERSECTS -> (a, b) -> compareNumbers(a, b) == 0;
                    case NE -> (a, b) -> compareNumbers(a, b) != 0;
                    case LT -> (a, b) -> compareNumbers(a, b) < 0;
                    case LE -> (a, b) -> compareNumbers(a, b) <= 0;
                    case GT -> (a, b) -> compareNumbers(a, b) > 0;
                    case GE -> (a, b) -> compareNumbers(a, b) >= 0;
                    default -> null;
                };
            } else {
                test = switch (operator) {
                    case EQ, EQ2, IN, INTERSECTS -> (a, b) -> a.toString().equals(b.toString());
                    case NE -> (a, b) -> !a.toString().equals(b.toString());
                    case CONTAINS -> (a, b) -> a.toString().contains(b.toString());
                    case ICONTAINS -> (a, b) -> Comparisons.containsIgnoreCase(a.toString(), b.toString());
                    case STARTSWITH -> (a, b) -> a.toString().startsWith(b.toString());
                    case ENDSWITH -> (a, b) -> a.toString().endsWith(b.toString());
                    default -> null;
                };
            }
            if (test == null) {
                error(comparison.operatorOffset(), "operator '" + operator + "' cannot compare '" + left.name()
                        + "' with another field");
                return null;
            }
            return new EventPredicate.FieldsTest(left, operator, right, test);
        }

        /** The comparison's values with list names replaced by the lists' items. */
        private List<Operand> expand(final Expr.Comparison comparison) {
            final List<Operand> operands = new ArrayList<>();
            for (final Expr.Value value : comparison.values()) {
                final Optional<List<String>> list = comparison.isList() && !value.quoted()
                        ? scope.list(value.text()) : Optional.empty();
                if (list.isPresent()) {
                    for (final String item : list.get()) {
                        operands.add(new Operand(item, value.offset(), value.text()));
                    }
                } else {
                    operands.add(new Operand(value.text(), value.offset(), null));
                }
            }
            return operands;
        }

        private ValueTest valueTest(final String fieldName, final FieldType type, final Operator operator,
                                    final List<Operand> operands) {
            if (type == null) {
                if (operator.isOrdering()) {
                    final Double number = parseDouble(operands.get(0).text());
                    if (number == null) {
                        error(operands.get(0).offset(), "value '" + operands.get(0).text() + "' is not a number, but '"
                                + operator + "' compares numbers");
                        return null;
                    }
                    return Comparisons.forLooseNumber(operator, number);
                }
                return stringTest(operator, operands);
            }
            switch (type) {
                case STRING:
                    return stringTest(operator, operands);
                case INT:
                case TIMESTAMP: {
                    final long[] numbers = new long[operands.size()];
                    boolean failed = false;
                    int reportedAt = -1;
                    for (int i = 0; i < numbers.length; i++) {
                        final Long number = parseLong(operands.get(i).text());
                        if (number == null) {
                            // One error per written value: a list of names need not say so for each item.
                            if (operands.get(i).offset() != reportedAt) {
                                error(operands.get(i).offset(), operands.get(i).describe() + " is not a number, but '"
                                        + fieldName + "' is " + article(type));
                                reportedAt = operands.get(i).offset();
                            }
                            failed = true;
                        } else {
                            numbers[i] = number;
                        }
                    }
                    return failed ? null : Comparisons.forLong(operator, numbers);
                }
                case BOOL: {
                    final boolean[] values = new boolean[operands.size()];
                    boolean failed = false;
                    for (int i = 0; i < values.length; i++) {
                        final String text = operands.get(i).text().toLowerCase(Locale.ROOT);
                        if (text.equals("true")) {
                            values[i] = true;
                        } else if (!text.equals("false")) {
                            error(operands.get(i).offset(), operands.get(i).describe() + " is not true or false, but '"
                                    + fieldName + "' is a bool");
                            failed = true;
                        }
                    }
                    return failed ? null : Comparisons.forBoolean(operator, values);
                }
                default:
                    throw new IllegalStateException("unhandled field type " + type);
            }
        }

        /** An address against CIDR blocks: {@code =} and {@code in} test membership, {@code !=} its absence. */
        private ValueTest networkTest(final Expr.Comparison comparison, final Operator operator,
                                      final List<Operand> operands) {
            if (operator == Operator.EXISTS) {
                return value -> true;
            }
            if (operator != Operator.EQ && operator != Operator.EQ2 && operator != Operator.NE
                    && operator != Operator.IN) {
                error(comparison.operatorOffset(), "operator '" + operator + "' cannot compare the network field '"
                        + comparison.field().name() + "'; use =, != or in with blocks such as \"10.0.0.0/8\"");
                return null;
            }
            final List<Networks.Block> blocks = new ArrayList<>();
            boolean failed = false;
            for (final Operand operand : operands) {
                final Networks.Block block = Networks.block(operand.text());
                if (block == null) {
                    error(operand.offset(), operand.describe() + " is not a network such as \"10.0.0.0/8\" or an IP address");
                    failed = true;
                } else {
                    blocks.add(block);
                }
            }
            if (failed) {
                return null;
            }
            final boolean negate = operator == Operator.NE;
            return value -> {
                final byte[] ip = Networks.address(value.toString());
                boolean inside = false;
                for (final Networks.Block block : blocks) {
                    inside |= block.contains(ip);
                }
                return inside != negate;
            };
        }

        /** A text comparison; regexes and hex byte strings are checked here, where the value's offset is known. */
        private ValueTest stringTest(final Operator operator, final List<Operand> operands) {
            if (operator == Operator.REGEX) {
                final Operand pattern = operands.get(0);
                try {
                    return Comparisons.regex(pattern.text());
                } catch (final PatternSyntaxException e) {
                    error(pattern.offset(), "invalid regex '" + pattern.text() + "': " + e.getDescription()
                            + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
                    return null;
                }
            }
            if (operator == Operator.BCONTAINS || operator == Operator.BSTARTSWITH) {
                final Operand hex = operands.get(0);
                final byte[] bytes = Comparisons.hexBytes(hex.text());
                if (bytes == null) {
                    error(hex.offset(), "value '" + hex.text() + "' is not a hex byte string, but '" + operator
                            + "' compares bytes, e.g. " + operator + " CAFEBABE");
                    return null;
                }
                return Comparisons.forBytes(operator, bytes);
            }
            return Comparisons.forString(operator, operands.stream().map(Operand::text).toList());
        }

        private void error(final int offset, final String message) {
            errors.add(new CompileError(offset, message));
        }
    }

    /** Falco's transformers, in the order its documentation lists them. */
    private static final List<String> TRANSFORMERS = List.of("tolower", "toupper", "b64", "basename", "len");

    private static int compareNumbers(final Object a, final Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        final Double x = a instanceof Number n ? Double.valueOf(n.doubleValue()) : parseDouble(a.toString());
        final Double y = b instanceof Number n ? Double.valueOf(n.doubleValue()) : parseDouble(b.toString());
        if (x == null || y == null) {
            // Text that is not a number orders after every number; equal only to the same text.
            return x == null && y == null ? a.toString().compareTo(b.toString()) : x == null ? 1 : -1;
        }
        return Double.compare(x, y);
    }

    /** One right-hand value after list expansion; {@code list} names the list it came from, if any. */
    private record Operand(String text, int offset, String list) {
        String describe() {
            return list == null ? "value '" + text + "'" : "item '" + text + "' of list '" + list + "'";
        }
    }

    private static Long parseLong(final String text) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                return Long.parseLong(text.substring(2), 16);
            }
            return Long.parseLong(text);
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    private static Double parseDouble(final String text) {
        try {
            return Double.parseDouble(text);
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    private static String article(final FieldType type) {
        return (type == FieldType.INT ? "an " : "a ") + type.displayName();
    }

    private static String example(final FieldType type) {
        return switch (type) {
            case BOOL -> "true";
            case INT, TIMESTAMP -> "0";
            case STRING -> "value";
        };
    }
}
