package dev.peregrine.bench.harness;

import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.detect.BuiltInDetectors;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.slopsquat.AllowList;
import dev.peregrine.engine.slopsquat.PackageChecker;
import dev.peregrine.engine.slopsquat.SlopsquatDetector;
import dev.peregrine.engine.slopsquat.SnapshotPackageIntel;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The detection stage as {@code peregrine run} and {@code replay} assemble it (the app's
 * {@code Monitor}, rebuilt here because the benchmarks must not depend on the command line):
 * the shipped rules and their {@code - cep:} items in one {@link DetectionEngine}, then Falco's
 * stable rules, then every built-in detection and slopsquat. Rules, EPL and package snapshots
 * are loaded once; {@link #engine} builds a fresh engine (fresh state) per run.
 *
 * <p>Falco's stable rules get an evaluator of their own, not a place in the shipped rule set:
 * both files define macros such as {@code open_read}, and one rule set would let the later
 * definition replace the earlier one everywhere.
 */
public final class DetectionStack {

    private static final String SHIPPED_INDEX = "peregrine/rules/index.txt";

    private final RuleSet shipped;
    private final CepProgram cep;
    private final CepProgram noCep;
    private final RuleSet falcoStable;
    private final PackageChecker packages;

    private DetectionStack(final RuleSet shipped, final CepProgram cep, final CepProgram noCep,
                           final RuleSet falcoStable, final PackageChecker packages) {
        this.shipped = shipped;
        this.cep = cep;
        this.noCep = noCep;
        this.falcoStable = falcoStable;
        this.packages = packages;
    }

    /** Loads the shipped rules, compiles their EPL, and Falco's stable rules from {@code falcoRules} when given. */
    public static DetectionStack load(final Optional<Path> falcoRules) throws IOException, RuleLoadException {
        final FieldRegistry registry = FieldRegistry.standard();
        final CepCompiler compiler = new CepCompiler(registry);
        final RuleSet shipped = new RuleLoader(registry, compiler).loadFiles(shippedRules());
        final CepProgram cep = compiler.compile(shipped.activeCepRules());
        final RuleSet falco = falcoRules.isPresent() ? new RuleLoader(registry).load(List.of(falcoRules.get())) : null;
        final PackageChecker packages = new PackageChecker(SnapshotPackageIntel.loadShipped(), AllowList.empty());
        return new DetectionStack(shipped, cep, compiler.compile(List.of()), falco, packages);
    }

    /** The shipped rule files, in the order of their index. */
    public static List<RuleFile> shippedRules() throws IOException {
        final ClassLoader classLoader = DetectionStack.class.getClassLoader();
        final List<RuleFile> files = new ArrayList<>();
        try (InputStream in = classLoader.getResourceAsStream(SHIPPED_INDEX)) {
            if (in == null) {
                throw new IOException(SHIPPED_INDEX + " is missing from the classpath");
            }
            final BufferedReader index = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = index.readLine(); line != null; line = index.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    files.add(RuleFile.ofResource(classLoader, "peregrine/rules/" + line.strip()));
                }
            }
        }
        return files;
    }

    /**
     * A new engine: the shipped per-event rules and Falco's stable rules always; with {@code everything},
     * also the CEP items, every built-in detection (state in memory) and slopsquat.
     */
    public DetectionEngine engine(final boolean everything, final Duration allowedLateness) {
        final List<Detector> after = new ArrayList<>();
        if (falcoStable != null) {
            after.add(new FalcoRuleEvaluator(falcoStable));
        }
        if (everything) {
            after.addAll(BuiltInDetectors.create(DetectionSettings.defaults(), new InMemoryStateStore()));
            after.add(new SlopsquatDetector(packages));
        }
        return new DetectionEngine(shipped, everything ? cep : noCep, after, allowedLateness);
    }

    /** Per-event evaluators alone (no reorder buffer, no CEP): the shipped rules, then Falco's if loaded. */
    public List<FalcoRuleEvaluator> perEventEvaluators() {
        final List<FalcoRuleEvaluator> evaluators = new ArrayList<>();
        evaluators.add(new FalcoRuleEvaluator(shipped));
        if (falcoStable != null) {
            evaluators.add(new FalcoRuleEvaluator(falcoStable));
        }
        return evaluators;
    }

    /** Ids of every per-event and CEP rule: the alerts raised as their triggering event arrives. */
    public Set<String> immediateRuleIds() {
        final Set<String> ids = new HashSet<>();
        shipped.activeRules().stream().map(RuleDef::id).forEach(ids::add);
        ids.addAll(cep.ruleIds());
        if (falcoStable != null) {
            falcoStable.activeRules().stream().map(RuleDef::id).forEach(ids::add);
        }
        return ids;
    }

    /** Active per-event rules: shipped plus Falco's. */
    public int perEventRules() {
        return shipped.activeRules().size() + (falcoStable == null ? 0 : falcoStable.activeRules().size());
    }

    /** Active CEP statements. */
    public int cepRules() {
        return cep.ruleIds().size();
    }

    /** Whether Falco's stable rules are part of the stack. */
    public boolean hasFalcoStable() {
        return falcoStable != null;
    }
}
