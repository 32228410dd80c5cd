package dev.peregrine.alerting;

import java.util.Locale;
import java.util.Optional;

/** Falco's priority levels, most severe first. */
public enum Priority {
    EMERGENCY("Emergency"),
    ALERT("Alert"),
    CRITICAL("Critical"),
    ERROR("Error"),
    WARNING("Warning"),
    NOTICE("Notice"),
    INFORMATIONAL("Informational"),
    DEBUG("Debug");

    private final String displayName;

    Priority(final String displayName) {
        this.displayName = displayName;
    }

    /** The spelling Falco writes in its JSON output, e.g. {@code Warning}. */
    public String displayName() {
        return displayName;
    }

    /** Whether this level is at least as severe as {@code other}. */
    public boolean atLeast(final Priority other) {
        return ordinal() <= other.ordinal();
    }

    /**
     * Parses a level the way Falco does: case-insensitive, with {@code info} for
     * Informational and {@code warn} for Warning accepted too.
     */
    public static Optional<Priority> parse(final String text) {
        if (text == null) {
            return Optional.empty();
        }
        final String lower = text.trim().toLowerCase(Locale.ROOT);
        switch (lower) {
            case "info":
                return Optional.of(INFORMATIONAL);
            case "warn":
                return Optional.of(WARNING);
            default:
                for (final Priority priority : values()) {
                    if (priority.displayName.toLowerCase(Locale.ROOT).equals(lower)) {
                        return Optional.of(priority);
                    }
                }
                return Optional.empty();
        }
    }
}
