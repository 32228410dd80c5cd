package dev.peregrine.engine.rules;

import java.util.List;
import java.util.Set;

/**
 * Which events a rule's {@code source} covers.
 *
 * <p>Peregrine normalizes several OS-level inputs (auditd, Tetragon, procfs, Falco's own
 * output) into the same syscall-shaped fields, so a {@code source: syscall} rule (Falco's
 * default) sees events whose {@code evt.source} is any of {@link #SYSCALL_LIKE}. Any other
 * rule source, including a specific OS source such as {@code auditd}, sees only events with
 * exactly that {@code evt.source}; {@code agent} is its own source. An event without
 * {@code evt.source} counts as {@code syscall}.
 */
public final class EventSources {

    /** Falco's default source, and what an event without {@code evt.source} is taken to be. */
    public static final String SYSCALL = "syscall";

    /** The agent's own audit events. */
    public static final String AGENT = "agent";

    /** The OS-level sources a {@code source: syscall} rule applies to. */
    public static final List<String> SYSCALL_LIKE = List.of(SYSCALL, "auditd", "tetragon", "procfs", "falco");

    private static final Set<String> SYSCALL_LIKE_SET = Set.copyOf(SYSCALL_LIKE);

    private static final Set<String> INGESTED = Set.of(SYSCALL, "auditd", "tetragon", "procfs", "falco", AGENT);

    private EventSources() {
    }

    /** The {@code evt.source} values a rule with {@code ruleSource} applies to. */
    public static List<String> eventSourcesOf(final String ruleSource) {
        return SYSCALL.equals(ruleSource) ? SYSCALL_LIKE : List.of(ruleSource);
    }

    /**
     * Whether Peregrine ingests events a rule with {@code ruleSource} applies to: the OS-level
     * sources and {@code agent}. Falco's other sources ({@code k8s_audit}, {@code aws_cloudtrail},
     * plugin sources) are not ingested, so their rules load inactive.
     */
    public static boolean isIngested(final String ruleSource) {
        return INGESTED.contains(ruleSource);
    }

    /** Whether {@code eventSource} is one of the OS-level sources. */
    public static boolean isSyscallLike(final String eventSource) {
        return SYSCALL_LIKE_SET.contains(eventSource);
    }
}
