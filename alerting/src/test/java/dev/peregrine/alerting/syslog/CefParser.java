package dev.peregrine.alerting.syslog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CEF reader written from the ArcSight CEF spec, independent of {@link CefFormatter}: seven
 * pipe-separated header fields ({@code \|} and {@code \\} escaped), then space-separated
 * {@code key=value} extensions whose values escape {@code \\}, {@code \=}, {@code \n}, {@code \r}
 * and may contain unescaped spaces and pipes.
 */
final class CefParser {

    /** A parsed CEF line. */
    record Cef(List<String> header, Map<String, String> extensions) {
    }

    private CefParser() {
    }

    static Cef parse(final String line) {
        final List<String> header = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        int i = 0;
        while (header.size() < 7) {
            if (i >= line.length()) {
                throw new IllegalArgumentException("fewer than 7 header fields: " + line);
            }
            final char c = line.charAt(i++);
            if (c == '\\') {
                final char next = line.charAt(i++);
                if (next != '\\' && next != '|') {
                    throw new IllegalArgumentException("bad header escape \\" + next + " in " + line);
                }
                field.append(next);
            } else if (c == '|') {
                header.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("line break in header: " + line);
            } else {
                field.append(c);
            }
        }
        return new Cef(header, extensions(line.substring(i)));
    }

    private static Map<String, String> extensions(final String text) {
        // positions of unescaped '=': each ends a key
        final List<Integer> equals = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=') {
                equals.add(i);
            } else if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("raw line break in extensions: " + text);
            }
        }
        final Map<String, String> out = new LinkedHashMap<>();
        for (int k = 0; k < equals.size(); k++) {
            final int eq = equals.get(k);
            final int keyStart = text.lastIndexOf(' ', eq) + 1;
            final String key = text.substring(keyStart, eq);
            if (!key.matches("[A-Za-z0-9_.]+")) {
                throw new IllegalArgumentException("bad extension key '" + key + "' in " + text);
            }
            final int valueEnd = k + 1 < equals.size() ? text.lastIndexOf(' ', equals.get(k + 1)) : text.length();
            if (out.put(key, unescape(text.substring(eq + 1, valueEnd))) != null) {
                throw new IllegalArgumentException("duplicate key " + key);
            }
        }
        return out;
    }

    private static String unescape(final String value) {
        final StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            final char next = value.charAt(++i);
            switch (next) {
                case '\\':
                case '=':
                    out.append(next);
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                default:
                    throw new IllegalArgumentException("bad extension escape \\" + next + " in " + value);
            }
        }
        return out.toString();
    }
}
