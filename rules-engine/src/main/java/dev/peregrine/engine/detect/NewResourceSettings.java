package dev.peregrine.engine.detect;

import java.time.Duration;
import java.util.Set;

/**
 * Knobs of {@code new_resource}.
 *
 * @param enabled       whether the detection runs
 * @param learning      how long after an agent's first event its resources are only learned
 * @param prefixDepth   how many leading path segments of {@code tool.resource} name a tool resource
 * @param maxResources  the most resources remembered per agent; beyond it nothing new is learned or alerted
 */
public record NewResourceSettings(boolean enabled, Duration learning, int prefixDepth, int maxResources) {

    /** 24 h learning, 3 path segments, 5000 resources per agent. */
    public static final NewResourceSettings DEFAULTS = new NewResourceSettings(true, Duration.ofHours(24), 3, 5000);

    static final Set<String> KEYS = Set.of("enabled", "learning", "prefix_depth", "max_resources", "agents");

    static NewResourceSettings read(final SettingsReader in, final NewResourceSettings base) {
        return new NewResourceSettings(
                in.bool("enabled", base.enabled),
                in.duration("learning", base.learning),
                (int) in.integer("prefix_depth", base.prefixDepth, 1),
                (int) in.integer("max_resources", base.maxResources, 1));
    }
}
