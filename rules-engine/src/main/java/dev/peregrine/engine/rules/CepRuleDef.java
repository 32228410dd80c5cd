package dev.peregrine.engine.rules;

import dev.peregrine.alerting.Priority;
import java.util.List;

/**
 * A {@code - cep:} item after loading: an EPL module and how to turn its output rows into alerts.
 * Compiling the EPL is the CEP runtime's job ({@link CepValidator}); this is the text and where it
 * was written, so every problem can point at {@code file:line:column}.
 *
 * @param id          stable id: the {@code id} key, or the slug of the name
 * @param name        the item's name ({@code cep:})
 * @param description {@code desc}, or empty
 * @param epl         the EPL module text; its last statement raises the alerts
 * @param output      the output template, as written (fields are select columns, see the cep package)
 * @param priority    Falco priority
 * @param tags        tags, in file order
 * @param enabled     whether the statements are deployed
 * @param file        the file it was defined in
 * @param line        the line its item starts at
 * @param eplLines    for each line of {@code epl} (index 0 = EPL line 1), where its first non-blank character was written
 * @param outputLines the same for each line of {@code output}
 */
public record CepRuleDef(String id, String name, String description, String epl, String output, Priority priority,
                         List<String> tags, boolean enabled, String file, int line, List<Location> eplLines,
                         List<Location> outputLines) {

    public CepRuleDef {
        tags = List.copyOf(tags);
        eplLines = List.copyOf(eplLines);
        outputLines = List.copyOf(outputLines);
    }

    /** A 1-based line and column in {@link #file()}. */
    public record Location(int line, int column) {
    }

    /** Where 1-based EPL line {@code eplLine} was written; the item's own line when out of range. */
    public Location locate(final int eplLine) {
        return locate(epl, eplLines, eplLine, -1);
    }

    /** A load error at 1-based EPL line {@code eplLine}, 0-based character {@code column} of it (-1: its first non-blank). */
    public RuleLoadError errorAt(final int eplLine, final int column, final String message) {
        final Location at = locate(epl, eplLines, eplLine, column);
        return new RuleLoadError(file, at.line(), at.column(), name, message);
    }

    /** A load error at character {@code offset} of the output template. */
    public RuleLoadError outputErrorAt(final int offset, final String message) {
        int lineIndex = 0;
        int lineStart = 0;
        for (int i = 0; i < Math.min(offset, output.length()); i++) {
            if (output.charAt(i) == '\n') {
                lineIndex++;
                lineStart = i + 1;
            }
        }
        final Location at = locate(output, outputLines, lineIndex + 1, offset - lineStart);
        return new RuleLoadError(file, at.line(), at.column(), name, message);
    }

    private Location locate(final String text, final List<Location> lines, final int lineNumber, final int column) {
        if (lines.isEmpty()) {
            return new Location(line, 1);
        }
        if (lineNumber < 1 || lineNumber > lines.size()) {
            return lines.get(0);
        }
        final Location start = lines.get(lineNumber - 1);
        if (column < 0) {
            return start;
        }
        // Lines are recorded at their first non-blank character; a column counts from the line's start.
        final String[] split = text.split("\n", -1);
        final String content = lineNumber - 1 < split.length ? split[lineNumber - 1] : "";
        int blanks = 0;
        while (blanks < content.length() && Character.isWhitespace(content.charAt(blanks))) {
            blanks++;
        }
        return new Location(start.line(), Math.max(1, start.column() - blanks + column));
    }
}
