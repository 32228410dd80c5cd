package dev.peregrine.engine.condition;

import java.util.regex.Pattern;

/**
 * Translates shell-style globs ({@code *}, {@code ?}, {@code [...]}, {@code [!...]}) into
 * precompiled regular expressions, once at compile time.
 */
public final class Glob {

    private Glob() {
    }

    /**
     * The pattern matching whole strings that {@code glob} matches. As in Falco's {@code glob}
     * (fnmatch without FNM_PATHNAME), {@code *} and {@code ?} also match {@code /}.
     *
     * <p>Checked against the source, not the prose: falco.org's pmatch page says glob wildcards do
     * not cross directory separators, but libsinsp's {@code sinsp_utils::glob_match} calls
     * {@code fnmatch(pattern, string, flags)} with {@code flags} 0 ({@code FNM_CASEFOLD} for
     * {@code iglob}), so {@code fd.name glob /var/*} matches {@code /var/run/file.txt}. Only
     * {@code pmatch} globs stay within one path component (see {@link PathPrefixes}).
     */
    public static Pattern compile(final String glob, final boolean ignoreCase) {
        final int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        return Pattern.compile(toRegex(glob, ".*", "."), flags);
    }

    /** The text before {@code glob}'s first wildcard, which a match must start with literally. */
    public static String literalPrefix(final String glob) {
        int end = glob.length();
        for (final char wildcard : new char[] {'*', '?', '['}) {
            final int at = glob.indexOf(wildcard);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return glob.substring(0, end);
    }

    /** Whether {@code text} has any glob wildcard. */
    public static boolean hasWildcard(final String text) {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0;
    }

    /**
     * The regex for {@code glob}, with {@code star} and {@code question} as the translations of
     * {@code *} and {@code ?} (path matching passes {@code [^/]*} so a wildcard stays in one component).
     */
    static String toRegex(final String glob, final String star, final String question) {
        final StringBuilder regex = new StringBuilder(glob.length() + 8);
        int i = 0;
        while (i < glob.length()) {
            final char c = glob.charAt(i);
            if (c == '*') {
                regex.append(star);
            } else if (c == '?') {
                regex.append(question);
            } else if (c == '[') {
                final int close = classEnd(glob, i);
                if (close < 0) {
                    regex.append("\\[");
                } else {
                    regex.append(characterClass(glob.substring(i + 1, close)));
                    i = close;
                }
            } else {
                appendLiteral(regex, c);
            }
            i++;
        }
        return regex.toString();
    }

    /** Index of the ']' that closes the class opened at {@code open}; a ']' right after '[' or '[!' is a member. */
    private static int classEnd(final String glob, final int open) {
        int i = open + 1;
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            i++;
        }
        if (i < glob.length() && glob.charAt(i) == ']') {
            i++;
        }
        return glob.indexOf(']', i);
    }

    private static String characterClass(final String body) {
        final StringBuilder out = new StringBuilder("[");
        int i = 0;
        if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
            out.append('^');
            i = 1;
        }
        for (; i < body.length(); i++) {
            final char c = body.charAt(i);
            // Keep ranges (a-z); escape everything regex would treat specially inside a class.
            if (c == '-' && i > 0 && i < body.length() - 1) {
                out.append('-');
            } else if (c == '\\' || c == '[' || c == ']' || c == '^' || c == '&' || c == '-') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.append(']').toString();
    }

    private static void appendLiteral(final StringBuilder regex, final char c) {
        if (Character.isLetterOrDigit(c) || c == '/' || c == '_' || c == ' ') {
            regex.append(c);
        } else {
            regex.append('\\').append(c);
        }
    }
}
