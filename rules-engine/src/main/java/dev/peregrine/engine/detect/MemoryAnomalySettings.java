package dev.peregrine.engine.detect;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Knobs of {@code memory_anomaly} (the detector is {@code dev.peregrine.engine.memory.MemoryDetector}).
 *
 * <p>Namespace policy: an agent owns (writes and reads) the namespace named after it and those below
 * it ({@code <agent>/…}). Names in {@code shared_namespaces}, {@code namespaces} and
 * {@code read_namespaces} are exact, or end in {@code *} to cover every namespace starting with what
 * precedes it ({@code team/*}; {@code *} alone covers all).
 *
 * @param enabled           whether the detection runs
 * @param sharedNamespaces  namespaces every agent may write and read (each agent also owns the namespace named
 *                          after it)
 * @param namespaces        further namespaces this agent may write, and so read (usually set per agent)
 * @param readNamespaces    further namespaces this agent may read but not write (usually set per agent)
 * @param urlAllowlist      hosts a URL in memory content may name; a host matches itself and its subdomains
 * @param blobLength        the length from which a base64 or hex run is an encoded blob, whatever it decodes to
 * @param sizeFactor        how many times its mean write size a write must reach to be oversize
 * @param minSize           the least size in bytes that can be oversize
 * @param sizeWarmupWrites  writes by an agent before its mean size is trusted
 * @param writeBurst        the write-rate baseline: window, factor, least count, warm-up, half-life
 * @param sessionWriteWarmup how long after a session's first write its own write-rate baseline is trusted (the
 *                          session baseline otherwise counts and judges with {@code writeBurst})
 * @param readAlertWindow   a read outside the reader's namespaces alerts once per agent, namespace and window
 * @param taintTtl          how long a flagged entry stays tainted without being read or rewritten
 */
public record MemoryAnomalySettings(boolean enabled, Set<String> sharedNamespaces, Set<String> namespaces,
                                    Set<String> readNamespaces, List<String> urlAllowlist, long blobLength,
                                    double sizeFactor, long minSize, long sizeWarmupWrites,
                                    RateBaseline.Knobs writeBurst, Duration sessionWriteWarmup,
                                    Duration readAlertWindow, Duration taintTtl) {

    /** Hosts a note commonly links to: code hosts, package registries, language docs. */
    public static final List<String> DEFAULT_URL_ALLOWLIST = List.of("github.com", "gitlab.com", "bitbucket.org",
            "pypi.org", "npmjs.com", "npmjs.org", "docs.python.org", "developer.mozilla.org", "docs.oracle.com",
            "stackoverflow.com", "wikipedia.org", "localhost", "127.0.0.1");

    /**
     * No shared namespace (an agent reads and writes only its own), the default allow-list, blobs
     * from 512 characters, oversize from 8x the mean and 4 KiB after 20 writes, bursts at 10x the
     * per-minute baseline and at least 20 writes after 1 h for an agent and 10 min for a session,
     * one foreign-read alert per agent and namespace an hour, taint kept 30 days.
     */
    public static final MemoryAnomalySettings DEFAULTS = new MemoryAnomalySettings(true, Set.of(), Set.of(), Set.of(),
            DEFAULT_URL_ALLOWLIST, 512, 8.0, 4096, 20,
            new RateBaseline.Knobs(Duration.ofMinutes(1), 10.0, 20, Duration.ofHours(1), Duration.ofHours(6)),
            Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofDays(30));

    static final Set<String> KEYS = Set.of("enabled", "shared_namespaces", "namespaces", "read_namespaces",
            "url_allowlist", "blob_length", "size_factor", "min_size", "size_warmup_writes", "write_window",
            "write_factor", "write_min_events", "write_warmup", "write_half_life", "session_write_warmup",
            "read_alert_window", "taint_ttl", "agents");

    public MemoryAnomalySettings {
        sharedNamespaces = Set.copyOf(sharedNamespaces);
        namespaces = Set.copyOf(namespaces);
        readNamespaces = Set.copyOf(readNamespaces);
        urlAllowlist = urlAllowlist.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
    }

    static MemoryAnomalySettings read(final SettingsReader in, final MemoryAnomalySettings base) {
        final RateBaseline.Knobs burst = base.writeBurst;
        return new MemoryAnomalySettings(
                in.bool("enabled", base.enabled),
                Set.copyOf(in.list("shared_namespaces", List.copyOf(base.sharedNamespaces), MemoryAnomalySettings::name)),
                Set.copyOf(in.list("namespaces", List.copyOf(base.namespaces), MemoryAnomalySettings::name)),
                Set.copyOf(in.list("read_namespaces", List.copyOf(base.readNamespaces), MemoryAnomalySettings::name)),
                in.list("url_allowlist", base.urlAllowlist, MemoryAnomalySettings::name),
                in.integer("blob_length", base.blobLength, 16),
                in.number("size_factor", base.sizeFactor, 1.0),
                in.integer("min_size", base.minSize, 1),
                in.integer("size_warmup_writes", base.sizeWarmupWrites, 1),
                new RateBaseline.Knobs(in.duration("write_window", burst.window()),
                        in.number("write_factor", burst.factor(), 1.0),
                        in.integer("write_min_events", burst.minEvents(), 1),
                        in.duration("write_warmup", burst.warmup()),
                        in.duration("write_half_life", burst.halfLife())),
                in.duration("session_write_warmup", base.sessionWriteWarmup),
                in.duration("read_alert_window", base.readAlertWindow),
                in.duration("taint_ttl", base.taintTtl));
    }

    private static String name(final String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected a non-empty name");
        }
        return text;
    }

    /** Whether {@code agent} may write {@code namespace}: its own, a shared one, or one listed for it. */
    public boolean mayWrite(final String agent, final String namespace) {
        return namespace.equals(agent) || namespace.startsWith(agent + "/") || covers(sharedNamespaces, namespace)
                || covers(namespaces, namespace);
    }

    /** Whether {@code agent} may read {@code namespace}: one it may write, or one listed in {@code read_namespaces}. */
    public boolean mayRead(final String agent, final String namespace) {
        return mayWrite(agent, namespace) || covers(readNamespaces, namespace);
    }

    /** Whether other agents are expected to read {@code namespace}: a shared one. */
    public boolean isShared(final String namespace) {
        return covers(sharedNamespaces, namespace);
    }

    /** The knobs of a session's write-rate baseline: the agent's, with the session warm-up. */
    public RateBaseline.Knobs sessionWriteBurst() {
        return new RateBaseline.Knobs(writeBurst.window(), writeBurst.factor(), writeBurst.minEvents(),
                sessionWriteWarmup, writeBurst.halfLife());
    }

    private static boolean covers(final Set<String> names, final String namespace) {
        if (names.contains(namespace)) {
            return true;
        }
        for (final String name : names) {
            if (name.endsWith("*") && namespace.startsWith(name.substring(0, name.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code host} (lower case) is on the allow-list, itself or as a subdomain of an entry. */
    public boolean allowsHost(final String host) {
        for (final String allowed : urlAllowlist) {
            if (host.equals(allowed) || host.endsWith("." + allowed)) {
                return true;
            }
        }
        return false;
    }
}
