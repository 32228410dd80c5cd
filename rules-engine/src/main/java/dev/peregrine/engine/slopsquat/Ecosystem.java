package dev.peregrine.engine.slopsquat;

import java.util.Locale;
import java.util.regex.Pattern;

/** A package registry, with the way it compares names. */
public enum Ecosystem {
    /** The Python Package Index; names compare as PEP 503 says. */
    PYPI("pypi"),
    /** The npm registry. */
    NPM("npm"),
    /** crates.io. */
    CRATES("crates"),
    /** RubyGems. */
    RUBYGEMS("rubygems"),
    /** Go modules, named by import path. */
    GO("go");

    private static final Pattern PEP503_SEPARATORS = Pattern.compile("[-_.]+");

    private final String id;

    Ecosystem(final String id) {
        this.id = id;
    }

    /** The lower-case id used in alerts and data files: {@code pypi}, {@code npm}, … */
    public String id() {
        return id;
    }

    /**
     * The registry's canonical form of {@code name}, the form two spellings of one package share:
     * PEP 503 for PyPI ({@code Foo_Bar.baz} is {@code foo-bar-baz}); lower case for npm (legacy
     * capitalised names resolve case-insensitively on lookup); {@code -} for {@code _} on
     * crates.io, which treats them as one.
     */
    public String normalize(final String name) {
        final String lower = name.toLowerCase(Locale.ROOT);
        return switch (this) {
            case PYPI -> PEP503_SEPARATORS.matcher(lower).replaceAll("-");
            case CRATES -> lower.replace('_', '-');
            case NPM, RUBYGEMS, GO -> lower;
        };
    }
}
