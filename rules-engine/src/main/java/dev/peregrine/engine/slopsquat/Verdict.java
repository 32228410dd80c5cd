package dev.peregrine.engine.slopsquat;

import dev.peregrine.alerting.Priority;

/** What the slopsquat checks conclude about one install request; each has its own rule id. */
public enum Verdict {
    /** Close to a popular package and not popular itself. */
    TYPOSQUAT("slopsquat_typosquat", "Package install imitates a popular package", Priority.ERROR),
    /** Absent from a complete registry snapshot: likely a hallucinated name, or registered after the snapshot. */
    NOT_IN_REGISTRY("slopsquat_not_in_registry", "Package install names a package absent from the registry", Priority.WARNING),
    /** Exists but is barely used: brand new, or below the download floor (or not among the listed names of a partial snapshot). */
    LOW_POPULARITY("slopsquat_low_popularity", "Package install names a barely used package", Priority.NOTICE),
    /** Installs from a local path, VCS URL or archive URL, bypassing the registry. */
    DIRECT_URL_INSTALL("slopsquat_direct_url_install", "Package installed from a direct URL or path", Priority.NOTICE),
    /** Installs from a requirements file: the names are not on the command line. */
    REQUIREMENTS_FILE("slopsquat_requirements_file", "Packages installed from a requirements file", Priority.INFORMATIONAL);

    private final String ruleId;
    private final String ruleName;
    private final Priority priority;

    Verdict(final String ruleId, final String ruleName, final Priority priority) {
        this.ruleId = ruleId;
        this.ruleName = ruleName;
        this.priority = priority;
    }

    /** Stable rule id, prefix {@code slopsquat}. */
    public String ruleId() {
        return ruleId;
    }

    /** Human rule name. */
    public String ruleName() {
        return ruleName;
    }

    /** Falco priority of the alert. */
    public Priority priority() {
        return priority;
    }
}
