package dev.peregrine.engine.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Falco's {@code pmatch}: a path matches when one of the prefixes equals it or is a whole
 * leading run of its {@code /}-separated components ({@code /etc} matches {@code /etc} and
 * {@code /etc/passwd}, not {@code /etcd}). Since Falco 0.36 a prefix may hold glob wildcards,
 * which match within one component ({@code /var/*}{@code /log}).
 */
final class PathPrefixes implements ValueTest {

    private final String[] literals;
    private final Pattern[] globs;

    PathPrefixes(final List<String> prefixes) {
        final List<String> literal = new ArrayList<>();
        final List<Pattern> glob = new ArrayList<>();
        for (final String prefix : prefixes) {
            final String normalized = prefix.length() > 1 && prefix.endsWith("/")
                    ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (Glob.hasWildcard(normalized)) {
                glob.add(Pattern.compile(Glob.toRegex(normalized, "[^/]*", "[^/]") + "(?:/.*)?", Pattern.DOTALL));
            } else {
                literal.add(normalized);
            }
        }
        this.literals = literal.toArray(String[]::new);
        this.globs = glob.toArray(Pattern[]::new);
    }

    @Override
    public boolean test(final Object value) {
        final String path = value.toString();
        for (final String prefix : literals) {
            if (path.startsWith(prefix)
                    && (path.length() == prefix.length() || prefix.endsWith("/") || path.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        for (final Pattern glob : globs) {
            if (glob.matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }
}
