package dev.peregrine.alerting.redaction;

import dev.peregrine.alerting.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text and in alerts ({@code output} and every string value of
 * {@code output_fields}), as its {@link RedactionPattern}s describe them; a masked secret reads
 * {@code <kept prefix>****}.
 *
 * <p>Clean text is the common case and costs little: the text is lower-cased once and each
 * pattern's regex runs only when one of its hints occurs in it. Immutable and thread-safe.
 */
public final class Redactor {

    /** What replaces the hidden part of a secret. */
    public static final String MASK = "****";

    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<(secret[A-Za-z0-9]*)>");

    /** A pattern with the names of its masked groups, looked up once. */
    private record Compiled(RedactionPattern pattern, List<String> secretGroups) {
    }

    private final List<Compiled> patterns;

    /** A redactor with {@code patterns}, applied in order. */
    public Redactor(final List<RedactionPattern> patterns) {
        final List<Compiled> compiled = new ArrayList<>();
        for (final RedactionPattern pattern : patterns) {
            final List<String> groups = new ArrayList<>();
            final Matcher named = NAMED_GROUP.matcher(pattern.regex().pattern());
            while (named.find()) {
                groups.add(named.group(1));
            }
            compiled.add(new Compiled(pattern, List.copyOf(groups)));
        }
        this.patterns = List.copyOf(compiled);
    }

    /** A redactor with the shipped patterns ({@link RedactionPattern#defaults()}). */
    public static Redactor withDefaults() {
        return new Redactor(RedactionPattern.defaults());
    }

    /** The patterns, in the order they are applied. */
    public List<RedactionPattern> patterns() {
        return patterns.stream().map(Compiled::pattern).toList();
    }

    /** {@code text} with every secret masked; the same instance when it holds none. */
    public String redact(final String text) {
        return redact(text, null);
    }

    /** {@code alert} with its output and string output fields redacted; the same instance when nothing was masked. The id never changes. */
    public Alert redact(final Alert alert) {
        return redact(alert, null);
    }

    /** As {@link #redact(Alert)}, adding the secrets masked to {@code hits} (by pattern index) when it is not null. */
    Alert redact(final Alert alert, final long[] hits) {
        final String output = redact(alert.output(), hits);
        Map<String, Object> fields = null;
        for (final Map.Entry<String, Object> field : alert.outputFields().entrySet()) {
            final Object value = field.getValue();
            if (value == null || value instanceof Number || value instanceof Boolean) {
                continue;
            }
            // anything else is written as its text (AlertJson), so its text is what must be clean
            final String text = value.toString();
            final String clean = redact(text, hits);
            if (clean != text) {
                if (fields == null) {
                    fields = new LinkedHashMap<>(alert.outputFields());
                }
                fields.put(field.getKey(), clean);
            }
        }
        if (output == alert.output() && fields == null) {
            return alert;
        }
        return new Alert(alert.id(), alert.timeNanos(), alert.ruleId(), alert.rule(), alert.priority(),
                alert.source(), alert.hostname(), alert.tags(), output,
                fields == null ? alert.outputFields() : fields, alert.agent(), alert.session(), alert.count(),
                alert.firstSeenNanos(), alert.lastSeenNanos());
    }

    /** As {@link #redact(String)}, adding the secrets masked to {@code hits} (by pattern index) when it is not null. */
    String redact(final String text, final long[] hits) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // Masking only removes text, so a hint absent from the original is absent after any masking too.
        final String lower = text.toLowerCase(Locale.ROOT);
        String current = text;
        // patterns sharing one hint list (key-value and command-line flag) search for it once
        List<String> lastHints = null;
        boolean lastMayMatch = false;
        for (int i = 0; i < patterns.size(); i++) {
            final Compiled compiled = patterns.get(i);
            final List<String> hints = compiled.pattern().hints();
            if (!hints.equals(lastHints)) {
                lastHints = hints;
                lastMayMatch = mayMatch(hints, lower);
            }
            if (!lastMayMatch) {
                continue;
            }
            final Matcher matcher = compiled.pattern().regex().matcher(current);
            if (!matcher.find()) {
                continue;
            }
            final StringBuilder out = new StringBuilder(current.length());
            int copied = 0;
            long masked = 0;
            do {
                if (compiled.secretGroups().isEmpty()) {
                    copied = mask(current, matcher.start(), matcher.end(), copied, compiled.pattern(), out);
                    masked++;
                } else {
                    for (final String group : compiled.secretGroups()) {
                        final int start = matcher.start(group);
                        if (start >= 0 && matcher.end(group) > start && start >= copied) {
                            copied = mask(current, start, matcher.end(group), copied, compiled.pattern(), out);
                            masked++;
                        }
                    }
                }
            } while (matcher.find());
            if (masked == 0) {
                continue;
            }
            out.append(current, copied, current.length());
            current = out.toString();
            if (hits != null) {
                hits[i] += masked;
            }
        }
        return current;
    }

    private static boolean mayMatch(final List<String> hints, final String lower) {
        if (hints.isEmpty()) {
            return true;
        }
        for (final String hint : hints) {
            if (lower.contains(hint)) {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code text[copied, start)}, the kept prefix of the secret at {@code [start, end)} and the mask; returns {@code end}. */
    private static int mask(final String text, final int start, final int end, final int copied,
                            final RedactionPattern pattern, final StringBuilder out) {
        // never reveal more than half of a secret, however generous the configured prefix
        final int keep = Math.min(pattern.keepPrefix(), (end - start) / 2);
        out.append(text, copied, start + keep).append(MASK);
        return end;
    }
}
