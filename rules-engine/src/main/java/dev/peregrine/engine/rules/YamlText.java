package dev.peregrine.engine.rules;

import java.util.Arrays;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** The source of one YAML file, for turning SnakeYAML marks and offsets into scalars into line and column. */
final class YamlText {

    /** A 1-based line and column. */
    record Position(int line, int column) {
    }

    private final String name;
    private final String text;
    private final int[] lineStarts;
    // SnakeYAML counts code points; when every character is one char the two indexes agree.
    private final boolean charsAreCodePoints;

    YamlText(final String name, final String text) {
        this.name = name;
        this.text = text;
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        lineStarts = new int[lines];
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts[line++] = i + 1;
            }
        }
        charsAreCodePoints = text.codePointCount(0, text.length()) == text.length();
    }

    String name() {
        return name;
    }

    String text() {
        return text;
    }

    /** Where {@code node} starts. */
    Position positionOf(final Node node) {
        return positionOf(node.getStartMark());
    }

    /** A mark's position (SnakeYAML's line and column are 0-based). */
    static Position positionOf(final Mark mark) {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** The position of a character offset into the file. */
    Position positionOfOffset(final int offset) {
        final int clamped = Math.max(0, Math.min(offset, text.length()));
        int line = Arrays.binarySearch(lineStarts, clamped);
        if (line < 0) {
            line = -line - 2;
        }
        return new Position(line + 1, clamped - lineStarts[line] + 1);
    }

    private int charOffset(final Mark mark) {
        return charsAreCodePoints ? mark.getIndex() : text.offsetByCodePoints(0, mark.getIndex());
    }

    /**
     * For each character of {@code node}'s value (and one past its end), the file offset it was
     * written at. YAML folds lines, strips indentation and resolves escapes, so the value is
     * aligned against the source: every non-blank character of the value appears in the source
     * in order, escapes ({@code \"}, {@code ''}) standing for one character. Blanks produced by
     * folding map to the next source character. An unrecognisable source (which valid YAML does
     * not produce) leaves the remaining characters at the last aligned position.
     */
    int[] align(final ScalarNode node) {
        final String value = node.getValue();
        final ScalarStyle style = node.getScalarStyle();
        int start = charOffset(node.getStartMark());
        int end = Math.min(charOffset(node.getEndMark()), text.length());
        switch (style) {
            case SINGLE_QUOTED, DOUBLE_QUOTED -> {
                start++;
                end = Math.max(start, end - 1);
            }
            case LITERAL, FOLDED -> {
                // Content starts on the line after the |/> header.
                final int newline = text.indexOf('\n', start);
                start = newline < 0 ? end : newline + 1;
            }
            default -> {
            }
        }
        final int[] map = new int[value.length() + 1];
        final boolean doubleQuoted = style == ScalarStyle.DOUBLE_QUOTED;
        int p = start;
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            map[i] = Math.min(p, end);
            if (Character.isWhitespace(c)) {
                // Written as is, or an escape (\t) after blanks; otherwise produced by folding a line.
                if (p < end && text.charAt(p) == c) {
                    p++;
                } else if (doubleQuoted) {
                    int q = p;
                    while (q < end && Character.isWhitespace(text.charAt(q))) {
                        q++;
                    }
                    if (q < end && text.charAt(q) == '\\' && decodeEscape(q, end) == c) {
                        map[i] = q;
                        p = afterEscape(q, end);
                    }
                }
                continue;
            }
            int q = p;
            while (q < end) {
                final char s = text.charAt(q);
                if (doubleQuoted && s == '\\') {
                    if (decodeEscape(q, end) == c) {
                        map[i] = q;
                        p = afterEscape(q, end);
                        break;
                    }
                    q = afterEscape(q, end);
                    continue;
                }
                if (style == ScalarStyle.SINGLE_QUOTED && s == '\'' && q + 1 < end && text.charAt(q + 1) == '\'') {
                    if (c == '\'') {
                        map[i] = q;
                        p = q + 2;
                        break;
                    }
                    q += 2;
                    continue;
                }
                if (s == c) {
                    map[i] = q;
                    p = q + 1;
                    break;
                }
                q++;
            }
        }
        map[value.length()] = Math.min(p, Math.max(end, start));
        return map;
    }

    /** The character a double-quoted escape at {@code backslash} stands for; -1 for an escaped line break. */
    private int decodeEscape(final int backslash, final int end) {
        if (backslash + 1 >= end) {
            return -1;
        }
        final char e = text.charAt(backslash + 1);
        return switch (e) {
            case '0' -> 0;
            case 'a' -> 7;
            case 'b' -> 8;
            case 't', '\t' -> '\t';
            case 'n' -> '\n';
            case 'v' -> 11;
            case 'f' -> 12;
            case 'r' -> '\r';
            case 'e' -> 27;
            case 'N' -> 0x85;
            case '_' -> 0xA0;
            case 'L' -> 0x2028;
            case 'P' -> 0x2029;
            case 'x', 'u', 'U' -> {
                final int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                final int from = backslash + 2;
                try {
                    yield from + digits <= end ? Integer.parseInt(text.substring(from, from + digits), 16) : -1;
                } catch (final NumberFormatException ex) {
                    yield -1;
                }
            }
            case '\n', '\r' -> -1;
            default -> e;
        };
    }

    private int afterEscape(final int backslash, final int end) {
        if (backslash + 1 >= end) {
            return end;
        }
        final int digits = switch (text.charAt(backslash + 1)) {
            case 'x' -> 2;
            case 'u' -> 4;
            case 'U' -> 8;
            default -> 0;
        };
        return Math.min(end, backslash + 2 + digits);
    }
}
