package dev.peregrine.engine.memory;

import dev.peregrine.alerting.Priority;

/** What is wrong with a memory write or read; each kind is a {@code memory_anomaly.<variant>} rule id. */
public enum FindingKind {
    /** A read, by another agent or session, of an entry flagged when it was written. */
    TAINTED_READ("tainted_read", Priority.CRITICAL),
    /** Text that tells future readers what to do (override, conceal, exfiltrate). */
    INSTRUCTION("instruction", Priority.CRITICAL),
    /** An API-key shape or a private key. */
    SECRET("secret", Priority.CRITICAL),
    /** Zero-width, bidi-control or tag characters that hide text from a human reviewer. */
    INVISIBLE_UNICODE("invisible_unicode", Priority.ERROR),
    /** A base64 or hex run: long, or decoding to instruction-like text or a foreign URL. */
    ENCODED_BLOB("encoded_blob", Priority.WARNING),
    /** A URL whose host is not on the allow-list. */
    URL("url", Priority.WARNING),
    /** A write into a namespace the writer does not own and that is not shared. */
    CROSS_NAMESPACE("cross_namespace", Priority.WARNING),
    /** A read of a namespace the reader may not read: not its own, not shared, not listed for it. */
    CROSS_NAMESPACE_READ("cross_namespace_read", Priority.WARNING),
    /** Memory writes by an agent far above its baseline rate. */
    WRITE_BURST("write_burst", Priority.WARNING),
    /** Memory writes in one session far above that session's baseline rate, while the agent's are not. */
    SESSION_WRITE_BURST("session_write_burst", Priority.WARNING),
    /** A write far larger than the agent's norm. */
    OVERSIZE("oversize", Priority.NOTICE);

    private final String variant;
    private final Priority priority;

    FindingKind(final String variant, final Priority priority) {
        this.variant = variant;
        this.priority = priority;
    }

    /** The variant name, e.g. {@code cross_namespace}. */
    public String variant() {
        return variant;
    }

    /** The rule id, e.g. {@code memory_anomaly.cross_namespace}. */
    public String ruleId() {
        return MemoryDetector.RULE_ID + "." + variant;
    }

    /** The priority of an alert whose most serious finding is of this kind. */
    public Priority priority() {
        return priority;
    }
}
