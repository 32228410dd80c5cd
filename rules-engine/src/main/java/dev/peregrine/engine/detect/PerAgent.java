package dev.peregrine.engine.detect;

import java.util.Map;
import java.util.Objects;

/**
 * A detection's settings: the global ones and, per agent id, overrides (every key an override
 * leaves out takes the global value).
 *
 * @param global the settings for agents without an override
 * @param agents overrides by {@code agent.id}
 * @param <S>    the settings record
 */
public record PerAgent<S>(S global, Map<String, S> agents) {

    public PerAgent {
        Objects.requireNonNull(global, "global");
        agents = Map.copyOf(agents);
    }

    /** The same settings for every agent. */
    public static <S> PerAgent<S> of(final S global) {
        return new PerAgent<>(global, Map.of());
    }

    /** The settings that apply to {@code agentId} ({@code null}: the global ones). */
    public S forAgent(final String agentId) {
        if (agentId == null || agents.isEmpty()) {
            return global;
        }
        final S override = agents.get(agentId);
        return override == null ? global : override;
    }
}
