package dev.peregrine.engine.slopsquat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Private and internal packages that are never flagged: exact names per ecosystem
 * ({@code pypi:acme-billing}) or npm scopes ({@code npm:@acme/*}), and name prefixes
 * ({@code pypi:acme-*}). Names compare in their ecosystem's normalized form.
 */
public final class AllowList {

    private static final AllowList EMPTY = new AllowList(Set.of(), List.of());

    private final Set<String> exact;
    private final List<String> prefixes;

    private AllowList(final Set<String> exact, final List<String> prefixes) {
        this.exact = Set.copyOf(exact);
        this.prefixes = List.copyOf(prefixes);
    }

    /** Allows nothing. */
    public static AllowList empty() {
        return EMPTY;
    }

    /**
     * Parses entries of the form {@code ecosystem:name} or {@code ecosystem:prefix*}; throws
     * {@link IllegalArgumentException} naming the first malformed entry.
     */
    public static AllowList of(final List<String> entries) {
        final Set<String> exact = new HashSet<>();
        final List<String> prefixes = new java.util.ArrayList<>();
        for (final String raw : entries) {
            final String entry = raw.trim();
            final int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("allow-list entry '" + raw + "' is not ecosystem:name (e.g. pypi:acme-billing)");
            }
            final Ecosystem ecosystem = ecosystem(entry.substring(0, colon), raw);
            final String name = entry.substring(colon + 1);
            if (name.endsWith("*")) {
                prefixes.add(ecosystem.id() + ":" + ecosystem.normalize(name.substring(0, name.length() - 1)));
            } else {
                exact.add(ecosystem.id() + ":" + ecosystem.normalize(name));
            }
        }
        return new AllowList(exact, prefixes);
    }

    /** Reads one entry a line; blank lines and {@code #} comments are skipped. */
    public static AllowList read(final Reader reader) throws IOException {
        final List<String> entries = new java.util.ArrayList<>();
        final BufferedReader lines = new BufferedReader(reader);
        String line;
        while ((line = lines.readLine()) != null) {
            final String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                entries.add(trimmed);
            }
        }
        return of(entries);
    }

    /** Whether {@code normalizedName} of {@code ecosystem} is allowed. */
    public boolean allows(final Ecosystem ecosystem, final String normalizedName) {
        final String key = ecosystem.id() + ":" + normalizedName;
        if (exact.contains(key)) {
            return true;
        }
        for (final String prefix : prefixes) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static Ecosystem ecosystem(final String id, final String raw) {
        for (final Ecosystem ecosystem : Ecosystem.values()) {
            if (ecosystem.id().equals(id.toLowerCase(Locale.ROOT))) {
                return ecosystem;
            }
        }
        throw new IllegalArgumentException("allow-list entry '" + raw + "': unknown ecosystem '" + id
                + "' (one of pypi, npm, crates, rubygems, go)");
    }
}
