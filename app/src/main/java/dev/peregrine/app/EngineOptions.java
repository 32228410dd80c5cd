package dev.peregrine.app;

import dev.peregrine.engine.Detector;
import dev.peregrine.engine.detect.BuiltInDetectors;
import dev.peregrine.engine.memory.MemoryAudit;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.DetectionSettingsException;
import dev.peregrine.engine.slopsquat.AllowList;
import dev.peregrine.engine.slopsquat.PackageChecker;
import dev.peregrine.engine.slopsquat.SlopsquatDetector;
import dev.peregrine.engine.slopsquat.SnapshotPackageIntel;
import dev.peregrine.engine.state.FileSnapshotStateStore;
import dev.peregrine.engine.state.InMemoryStateStore;
import dev.peregrine.engine.state.StateStore;
import dev.peregrine.engine.time.ReorderBuffer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.nodes.Node;
import picocli.CommandLine.Option;

/** Options of the detection stage: built-in detections, their settings, and where learned state lives. */
final class EngineOptions {

    private static final Logger LOG = LoggerFactory.getLogger(EngineOptions.class);

    /** How often learned state is written to the state directory. */
    static final Duration SNAPSHOT_PERIOD = Duration.ofMinutes(1);

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = {"Keep what the detections learn (baselines, active hours, first-seen resources, token "
                    + "use) in this directory, written every minute and at exit, read at start. run: default "
                    + "peregrine-state; replay: kept in memory unless given."})
    Path stateDir;

    @Option(names = "--detections", paramLabel = "FILE",
            description = {"Settings of the built-in detections: a YAML file with a 'detections:' section (the same "
                    + "section as in peregrine.yaml; see docs/detections.md). Default: every detection on with "
                    + "its documented defaults."})
    Path detections;

    @Option(names = "--no-builtin-detections",
            description = "Only the rule files: no denied_burst, volume_spike, off_hours, new_resource, token_budget, "
                    + "sensor_silent or slopsquat.")
    boolean noBuiltins;

    @Option(names = "--package-allowlist", paramLabel = "FILE",
            description = {"Private or internal packages slopsquat must not flag: one per line, e.g. pypi:acme-billing, "
                    + "npm:@acme/*."})
    Path packageAllowlist;

    @Option(names = "--allowed-lateness", paramLabel = "DURATION", defaultValue = "2s",
            converter = DurationConverter.class,
            description = {"How late (in event time) an event may arrive and still be sorted into order before the "
                    + "stateful detections see it; later ones are processed at once and counted. "
                    + "Default: ${DEFAULT-VALUE}."})
    Duration allowedLateness = ReorderBuffer.DEFAULT_ALLOWED_LATENESS;

    /** Detection settings: from --detections, else from the config file's section, else the defaults. */
    DetectionSettings settings(final DetectionSettingsSource fromConfig) {
        try {
            if (detections != null) {
                final String yaml;
                try {
                    yaml = Files.readString(detections, StandardCharsets.UTF_8);
                } catch (final NoSuchFileException e) {
                    throw new UsageException("--detections " + detections + ": no such file");
                } catch (final IOException e) {
                    throw new UsageException("--detections " + detections + " cannot be read: " + e.getMessage());
                }
                return DetectionSettings.parse(yaml, detections.toString());
            }
            if (fromConfig != null) {
                return DetectionSettings.fromNode(fromConfig.section(), fromConfig.file());
            }
            return DetectionSettings.defaults();
        } catch (final DetectionSettingsException e) {
            throw new UsageException("detection settings not usable:" + System.lineSeparator() + e.getMessage());
        }
    }

    /** The learned-state store: a snapshot file in {@code directory}, or memory only when it is null. */
    static StateStore stateStore(final Path directory) {
        if (directory == null) {
            return new InMemoryStateStore();
        }
        try {
            final FileSnapshotStateStore store = FileSnapshotStateStore.open(directory, SNAPSHOT_PERIOD,
                    Clock.systemUTC());
            store.problems().forEach(problem -> LOG.warn("state in {}: {}", directory, problem));
            return store;
        } catch (final IOException e) {
            throw new UsageException("cannot use state directory " + directory + ": " + e.getMessage());
        }
    }

    /** The built-in detectors (none with --no-builtin-detections), reading and writing {@code state}. */
    List<Detector> builtInDetectors(final DetectionSettings settings, final StateStore state) {
        return builtInDetectors(settings, state, MemoryAudit.NONE);
    }

    /** As above, with every memory read and write reported to {@code memoryAudit}. */
    List<Detector> builtInDetectors(final DetectionSettings settings, final StateStore state,
                                    final MemoryAudit memoryAudit) {
        final List<Detector> detectors = new ArrayList<>();
        if (noBuiltins) {
            return detectors;
        }
        detectors.addAll(BuiltInDetectors.create(settings, state, memoryAudit));
        detectors.add(new SlopsquatDetector(ShippedPackages.CHECKER.withAllowList(allowList())));
        return detectors;
    }

    private AllowList allowList() {
        if (packageAllowlist == null) {
            return AllowList.empty();
        }
        try (Reader reader = Files.newBufferedReader(packageAllowlist, StandardCharsets.UTF_8)) {
            return AllowList.read(reader);
        } catch (final IOException | IllegalArgumentException e) {
            throw new UsageException("--package-allowlist " + packageAllowlist + ": " + e.getMessage());
        }
    }

    /** The detections section of a config file, for error messages that name that file. */
    record DetectionSettingsSource(String file, Node section) {
    }

    /**
     * The registry snapshots and their typosquat indexes, built once per process (about a second
     * of CPU and 28 MB) and shared by every run in it; each run adds its own allow-list.
     */
    private static final class ShippedPackages {
        static final PackageChecker CHECKER = new PackageChecker(SnapshotPackageIntel.loadShipped(), AllowList.empty());
    }
}
