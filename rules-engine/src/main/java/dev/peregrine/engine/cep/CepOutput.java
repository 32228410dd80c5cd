package dev.peregrine.engine.cep;

import dev.peregrine.collector.event.Timestamps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A cep item's {@code output}, parsed once. {@code %agent.id} or {@code %{agent.id}} is the value of
 * the alerting statement's select column {@code agent_id} (dots written as underscores, the same
 * mapping as event properties), so a template reads like a per-event rule's. A missing or null
 * column renders as {@code <NA>}; columns named {@code evt_time}, {@code first_seen},
 * {@code last_seen} or ending in {@code _time} hold epoch nanoseconds and render as RFC 3339.
 */
final class CepOutput {

    private static final String MISSING = "<NA>";

    private final String template;
    private final String text;
    private final String[] literals;
    private final String[] references;
    private final String[] columns;

    private CepOutput(final String template, final String text, final List<String> literals,
                      final List<String> references) {
        this.template = template;
        this.text = text;
        this.literals = literals.toArray(String[]::new);
        this.references = references.toArray(String[]::new);
        this.columns = references.stream().map(CepEventModel::propertyName).toArray(String[]::new);
    }

    /** Parses {@code template}; never fails (an unclosed {@code %{} is literal text). */
    static CepOutput parse(final String template) {
        final String text = template.strip();
        final List<String> literals = new ArrayList<>();
        final List<String> references = new ArrayList<>();
        final StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            final char c = text.charAt(i);
            if (c == '%' && i + 1 < text.length() && text.charAt(i + 1) == '{' && text.indexOf('}', i + 2) > i + 2) {
                final int close = text.indexOf('}', i + 2);
                literals.add(literal.toString());
                literal.setLength(0);
                references.add(text.substring(i + 2, close).strip());
                i = close + 1;
            } else if (c == '%' && i + 1 < text.length() && isNameStart(text.charAt(i + 1))) {
                int end = i + 1;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                while (text.charAt(end - 1) == '.') {
                    end--; // "opened %fd.name." - the dot is punctuation
                }
                literals.add(literal.toString());
                literal.setLength(0);
                references.add(text.substring(i + 1, end));
                i = end;
            } else {
                literal.append(c);
                i++;
            }
        }
        literals.add(literal.toString());
        return new CepOutput(template, text, literals, references);
    }

    /** The select columns the template reads, in template order, each once. */
    List<String> columns() {
        return List.of(columns).stream().distinct().toList();
    }

    /** The references as written ({@code agent.id}), in template order, each once. */
    List<String> references() {
        return List.of(references).stream().distinct().toList();
    }

    /** Where {@code reference} is first written in the template as given to {@link #parse}, for messages. */
    int offsetOf(final String reference) {
        final int braced = template.indexOf("%{" + reference);
        final int plain = template.indexOf("%" + reference);
        return Math.max(0, plain >= 0 ? plain : braced);
    }

    /** The message, reading columns through {@code row}. */
    String render(final Function<String, Object> row) {
        final StringBuilder out = new StringBuilder(text.length() + 64);
        for (int i = 0; i < columns.length; i++) {
            out.append(literals[i]).append(format(columns[i], row.apply(columns[i])));
        }
        return out.append(literals[columns.length]).toString();
    }

    /** The referenced values keyed by the reference as written, in template order. */
    Map<String, Object> values(final Function<String, Object> row) {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i++) {
            values.putIfAbsent(references[i], row.apply(columns[i]));
        }
        return Collections.unmodifiableMap(values);
    }

    static boolean isTimeColumn(final String column) {
        return column.equals("evt_time") || column.equals("first_seen") || column.equals("last_seen")
                || column.endsWith("_time");
    }

    private static String format(final String column, final Object value) {
        if (value == null) {
            return MISSING;
        }
        if (value instanceof Long nanos && isTimeColumn(column)) {
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
