package dev.peregrine.collector.ingest;

/** A glob over identity values: {@code *} any run of characters, {@code ?} any one; nothing else is special. */
final class Glob {

    private Glob() {
    }

    /** Whether {@code pattern} has no wildcard, so that it names exactly one value. */
    static boolean isLiteral(final String pattern) {
        return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    }

    /** Whether {@code value} matches {@code pattern}, whole. */
    static boolean matches(final String pattern, final String value) {
        // Iterative with one backtrack point: linear in practice, no regex to compile or to be attacked through.
        int p = 0;
        int v = 0;
        int starP = -1;
        int starV = 0;
        while (v < value.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == value.charAt(v))) {
                p++;
                v++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = p++;
                starV = v;
            } else if (starP >= 0) {
                p = starP + 1;
                v = ++starV;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
