package dev.peregrine.engine.detect;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The settings of every built-in detection, each global with per-agent overrides, as the
 * {@code detections:} section of the config file gives them:
 *
 * <pre>
 * detections:
 *   denied_burst:
 *     threshold: 10
 *     window: 60s
 *     agents:
 *       ci-runner: { threshold: 5 }
 *   off_hours:
 *     time_zone: Europe/Berlin
 *     hours: "08:00-19:00"
 * </pre>
 *
 * A detection left out takes its defaults; an agent override takes the detection's global value
 * for every key it leaves out.
 */
public record DetectionSettings(PerAgent<DeniedBurstSettings> deniedBurst,
                                PerAgent<VolumeSpikeSettings> volumeSpike,
                                PerAgent<OffHoursSettings> offHours,
                                PerAgent<NewResourceSettings> newResource,
                                PerAgent<TokenBudgetSettings> tokenBudget,
                                PerAgent<SensorSilentSettings> sensorSilent,
                                PerAgent<MemoryAnomalySettings> memoryAnomaly) {

    /** The top-level key of the section. */
    public static final String SECTION = "detections";
    /** The key of {@code memory_anomaly}'s settings (its detector lives in {@code engine.memory}). */
    public static final String MEMORY_ANOMALY = "memory_anomaly";

    public DetectionSettings {
        Objects.requireNonNull(deniedBurst);
        Objects.requireNonNull(volumeSpike);
        Objects.requireNonNull(offHours);
        Objects.requireNonNull(newResource);
        Objects.requireNonNull(tokenBudget);
        Objects.requireNonNull(sensorSilent);
        Objects.requireNonNull(memoryAnomaly);
    }

    /**
     * The detections that came before {@code memory_anomaly}, which takes its defaults: keeps
     * callers that list the six older ones compiling.
     */
    public DetectionSettings(final PerAgent<DeniedBurstSettings> deniedBurst,
                             final PerAgent<VolumeSpikeSettings> volumeSpike,
                             final PerAgent<OffHoursSettings> offHours,
                             final PerAgent<NewResourceSettings> newResource,
                             final PerAgent<TokenBudgetSettings> tokenBudget,
                             final PerAgent<SensorSilentSettings> sensorSilent) {
        this(deniedBurst, volumeSpike, offHours, newResource, tokenBudget, sensorSilent,
                PerAgent.of(MemoryAnomalySettings.DEFAULTS));
    }

    /** Every detection on, with its defaults. */
    public static DetectionSettings defaults() {
        return new DetectionSettings(PerAgent.of(DeniedBurstSettings.DEFAULTS), PerAgent.of(VolumeSpikeSettings.DEFAULTS),
                PerAgent.of(OffHoursSettings.DEFAULTS), PerAgent.of(NewResourceSettings.DEFAULTS),
                PerAgent.of(TokenBudgetSettings.DEFAULTS), PerAgent.of(SensorSilentSettings.DEFAULTS),
                PerAgent.of(MemoryAnomalySettings.DEFAULTS));
    }

    /**
     * Reads the {@code detections:} section of a whole config file (other top-level keys are
     * someone else's and ignored); no section means {@link #defaults()}.
     *
     * @param fileName  names the file in errors
     * @throws DetectionSettingsException with every error, each naming the key, line and column
     */
    public static DetectionSettings parse(final String yaml, final String fileName) throws DetectionSettingsException {
        final Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (final MarkedYAMLException e) {
            final var mark = e.getProblemMark();
            throw new DetectionSettingsException(List.of(new DetectionSettingsError(fileName,
                    mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1, "(yaml)", e.getProblem())));
        } catch (final YAMLException e) {
            throw new DetectionSettingsException(List.of(new DetectionSettingsError(fileName, 1, 1, "(yaml)", e.getMessage())));
        }
        if (root instanceof MappingNode mapping) {
            for (final NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && SECTION.equals(key.getValue())) {
                    return fromNode(tuple.getValueNode(), fileName);
                }
            }
        }
        return defaults();
    }

    /**
     * Reads the value node of a {@code detections:} key, for a config loader that parsed the file
     * with SnakeYAML itself.
     */
    public static DetectionSettings fromNode(final Node section, final String fileName) throws DetectionSettingsException {
        final List<DetectionSettingsError> errors = new ArrayList<>();
        final SettingsReader in = new SettingsReader(fileName, SECTION, section, errors);
        in.rejectUnknown(Set.of(DeniedBurstDetector.RULE_ID, VolumeSpikeDetector.RULE_ID, OffHoursDetector.RULE_ID,
                NewResourceDetector.RULE_ID, TokenBudgetDetector.RULE_ID, SensorSilentDetector.RULE_ID, MEMORY_ANOMALY));
        final DetectionSettings settings = new DetectionSettings(
                perAgent(in.child(DeniedBurstDetector.RULE_ID), DeniedBurstSettings.DEFAULTS, DeniedBurstSettings.KEYS,
                        DeniedBurstSettings::read),
                perAgent(in.child(VolumeSpikeDetector.RULE_ID), VolumeSpikeSettings.DEFAULTS, VolumeSpikeSettings.KEYS,
                        VolumeSpikeSettings::read),
                perAgent(in.child(OffHoursDetector.RULE_ID), OffHoursSettings.DEFAULTS, OffHoursSettings.KEYS,
                        OffHoursSettings::read),
                perAgent(in.child(NewResourceDetector.RULE_ID), NewResourceSettings.DEFAULTS, NewResourceSettings.KEYS,
                        NewResourceSettings::read),
                perAgent(in.child(TokenBudgetDetector.RULE_ID), TokenBudgetSettings.DEFAULTS, TokenBudgetSettings.KEYS,
                        TokenBudgetSettings::read),
                perAgent(in.child(SensorSilentDetector.RULE_ID), SensorSilentSettings.DEFAULTS, SensorSilentSettings.KEYS,
                        SensorSilentSettings::read),
                perAgent(in.child(MEMORY_ANOMALY), MemoryAnomalySettings.DEFAULTS, MemoryAnomalySettings.KEYS,
                        MemoryAnomalySettings::read));
        if (!errors.isEmpty()) {
            errors.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line())
                    : Integer.compare(a.column(), b.column()));
            throw new DetectionSettingsException(errors);
        }
        return settings;
    }

    private static <S> PerAgent<S> perAgent(final SettingsReader in, final S defaults, final Set<String> keys,
                                            final BiFunction<SettingsReader, S, S> read) {
        in.rejectUnknown(keys);
        final S global = read.apply(in, defaults);
        final Map<String, S> agents = new LinkedHashMap<>();
        final Set<String> agentKeys = new HashSet<>(keys);
        agentKeys.remove("agents");
        for (final Map.Entry<String, SettingsReader> agent : in.children("agents").entrySet()) {
            agent.getValue().rejectUnknown(agentKeys);
            agents.put(agent.getKey(), read.apply(agent.getValue(), global));
        }
        return new PerAgent<>(global, agents);
    }
}
