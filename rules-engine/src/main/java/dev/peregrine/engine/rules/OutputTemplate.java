package dev.peregrine.engine.rules;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.condition.CompileError;
import dev.peregrine.engine.condition.ConditionCompiler;
import dev.peregrine.engine.condition.FieldAccessor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's {@code output}, parsed once: literal text and field references {@code %proc.name}
 * (Falco's form) or {@code %{proc.name}}. Rendering writes each field's value, or {@code <NA>}
 * when the event lacks it, as Falco does. A trailing dot is punctuation, not part of the name
 * ({@code "opened %fd.name."}).
 */
public final class OutputTemplate {

    /** What Falco prints for a field the event does not carry. */
    public static final String MISSING = "<NA>";

    private final String text;
    private final String[] literals;
    private final FieldAccessor[] fields;
    private final List<String> fieldNames;

    private OutputTemplate(final String text, final List<String> literals, final List<FieldAccessor> fields) {
        this.text = text;
        this.literals = literals.toArray(String[]::new);
        this.fields = fields.toArray(FieldAccessor[]::new);
        this.fieldNames = fields.stream().map(FieldAccessor::name).distinct().toList();
    }

    /**
     * The parsed template and any problems (unknown fields), with offsets into {@code template}.
     *
     * @param template  the template, or {@code null} for the errors alone
     * @param errors    problems, in template order
     */
    public record Parsed(OutputTemplate template, List<CompileError> errors) {
        public Parsed {
            errors = List.copyOf(errors);
        }
    }

    /** Parses {@code text}, resolving field names with {@code compiler}'s registry rules. */
    public static Parsed parse(final String text, final ConditionCompiler compiler) {
        // Folded YAML scalars end in a newline that is not part of the message.
        final String template = text.strip();
        final List<String> literals = new ArrayList<>();
        final List<FieldAccessor> fields = new ArrayList<>();
        final List<CompileError> errors = new ArrayList<>();
        final int lead = text.indexOf(template.isEmpty() ? text : template);
        final StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            final char c = template.charAt(i);
            if (c != '%' || i + 1 >= template.length()) {
                literal.append(c);
                i++;
                continue;
            }
            final int nameStart;
            final int nameEnd;
            final int after;
            if (template.charAt(i + 1) == '{') {
                final int close = template.indexOf('}', i + 2);
                if (close < 0) {
                    errors.add(new CompileError(lead + i, "'%{' is never closed with '}'"));
                    literal.append(template, i, template.length());
                    break;
                }
                nameStart = i + 2;
                nameEnd = close;
                after = close + 1;
            } else if (isNameStart(template.charAt(i + 1))) {
                int end = i + 1;
                while (end < template.length() && isNamePart(template.charAt(end))) {
                    end++;
                }
                while (template.charAt(end - 1) == '.') {
                    end--;
                }
                if (end < template.length() && template.charAt(end) == '[') {
                    final int close = template.indexOf(']', end);
                    end = close < 0 ? end : close + 1;
                }
                nameStart = i + 1;
                nameEnd = end;
                after = end;
            } else {
                literal.append(c);
                i++;
                continue;
            }
            final String reference = template.substring(nameStart, nameEnd).strip();
            final int bracket = reference.indexOf('[');
            final String name = bracket < 0 ? reference : reference.substring(0, bracket);
            final String argument = bracket < 0 ? null
                    : reference.substring(bracket + 1, Math.max(bracket + 1, reference.length() - 1));
            final ConditionCompiler.FieldResolution resolution = compiler.resolveField(name, argument);
            if (resolution.accessor() == null) {
                errors.add(new CompileError(lead + nameStart, resolution.problem() + " in output"));
            } else {
                literals.add(literal.toString());
                literal.setLength(0);
                fields.add(resolution.accessor());
            }
            i = after;
        }
        literals.add(literal.toString());
        return new Parsed(errors.isEmpty() ? new OutputTemplate(template, literals, fields) : null, errors);
    }

    /** The template as written (trimmed). */
    public String text() {
        return text;
    }

    /** The names of the fields it refers to, in template order, each once. */
    public List<String> fieldNames() {
        return fieldNames;
    }

    /** The message for {@code event}. */
    public String render(final Event event) {
        final StringBuilder out = new StringBuilder(text.length() + 64);
        for (int i = 0; i < fields.length; i++) {
            out.append(literals[i]);
            out.append(format(fields[i], fields[i].read(event)));
        }
        return out.append(literals[fields.length]).toString();
    }

    /** The referenced fields' values for {@code event}, typed, {@code null} when missing, in template order. */
    public Map<String, Object> values(final Event event) {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (final FieldAccessor field : fields) {
            values.putIfAbsent(field.name(), field.read(event));
        }
        return Collections.unmodifiableMap(values);
    }

    private static String format(final FieldAccessor field, final Object value) {
        if (value == null) {
            return MISSING;
        }
        if (field.type() == FieldType.TIMESTAMP && value instanceof Long nanos) {
            return Timestamps.formatRfc3339(nanos);
        }
        return value.toString();
    }

    private static boolean isNameStart(final char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isNamePart(final char c) {
        return isNameStart(c) || c >= '0' && c <= '9' || c == '.';
    }

    @Override
    public String toString() {
        return text;
    }
}
