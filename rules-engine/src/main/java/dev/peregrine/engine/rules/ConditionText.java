package dev.peregrine.engine.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A condition as compiled: one YAML scalar, or several joined by a space when {@code append}
 * added to it (as Falco joins them). Maps an offset into the joined text back to its scalar.
 */
final class ConditionText {

    private final List<ScalarText> parts;
    private final String text;

    private ConditionText(final List<ScalarText> parts) {
        this.parts = List.copyOf(parts);
        final StringBuilder joined = new StringBuilder();
        for (final ScalarText part : parts) {
            if (joined.length() > 0) {
                joined.append(' ');
            }
            joined.append(part.value());
        }
        this.text = joined.toString();
    }

    static ConditionText of(final ScalarText scalar) {
        return new ConditionText(List.of(scalar));
    }

    ConditionText append(final ScalarText scalar) {
        final List<ScalarText> joined = new ArrayList<>(parts);
        joined.add(scalar);
        return new ConditionText(joined);
    }

    String text() {
        return text;
    }

    /** File and position of offset {@code offset} in {@link #text()}. */
    Located locate(final int offset) {
        int start = 0;
        for (int i = 0; i < parts.size(); i++) {
            final ScalarText part = parts.get(i);
            final int end = start + part.value().length();
            if (offset <= end || i == parts.size() - 1) {
                return new Located(part.file(), part.positionOf(offset - start));
            }
            start = end + 1;
        }
        throw new IllegalStateException("no parts");
    }

    /** A position in a named file. */
    record Located(YamlText file, YamlText.Position position) {
    }
}
