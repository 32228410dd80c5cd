package dev.peregrine.bench.harness;

/**
 * What the generated event mix looks like; the same spec always gives the same bytes.
 *
 * @param seed              seeds every random choice
 * @param events            lines to write
 * @param agents            distinct agents, each in its own sandbox on its own host
 * @param sessionsPerAgent  sessions each agent spreads its work over
 * @param maliciousShare    share of events (0..1) that start a malicious pattern (a Falco
 *                          rule's trigger, a typosquatted install, a poisoned memory write, …)
 * @param eventSpacingNanos event time between consecutive events
 */
public record MixSpec(long seed, int events, int agents, int sessionsPerAgent, double maliciousShare,
                      long eventSpacingNanos) {

    /** 10 µs apart: 100,000 events per second of event time over the whole fleet. */
    public static final long DEFAULT_SPACING_NANOS = 10_000L;

    public MixSpec {
        if (events < 1 || agents < 1 || sessionsPerAgent < 1 || eventSpacingNanos < 1) {
            throw new IllegalArgumentException("events, agents, sessions and spacing must be positive");
        }
        if (maliciousShare < 0 || maliciousShare > 1) {
            throw new IllegalArgumentException("maliciousShare must be within 0..1, got " + maliciousShare);
        }
    }

    /** {@code events} events from {@code seed}: 100 agents, 10 sessions each, 1% malicious. */
    public static MixSpec of(final long seed, final int events) {
        return new MixSpec(seed, events, 100, 10, 0.01, DEFAULT_SPACING_NANOS);
    }

    /** Sessions over all agents. */
    public int sessions() {
        return agents * sessionsPerAgent;
    }
}
