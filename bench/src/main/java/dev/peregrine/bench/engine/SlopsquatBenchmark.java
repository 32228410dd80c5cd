package dev.peregrine.bench.engine;

import dev.peregrine.engine.slopsquat.AllowList;
import dev.peregrine.engine.slopsquat.Ecosystem;
import dev.peregrine.engine.slopsquat.Finding;
import dev.peregrine.engine.slopsquat.PackageChecker;
import dev.peregrine.engine.slopsquat.PackageRequest;
import dev.peregrine.engine.slopsquat.SnapshotPackageIntel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Package checks per second against the shipped PyPI and npm snapshots: a popular name (found at
 * once), a typo of a popular one (the typosquat index is searched and finds it) and an invented
 * name (absent: the whole index is searched and finds nothing close).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SlopsquatBenchmark {

    private static final PackageRequest POPULAR_PYPI = request(Ecosystem.PYPI, "pip", "requests");
    private static final PackageRequest TYPO_PYPI = request(Ecosystem.PYPI, "pip", "reqeusts");
    private static final PackageRequest INVENTED_PYPI = request(Ecosystem.PYPI, "pip", "fastapi-jwt-session-guardz");
    private static final PackageRequest POPULAR_NPM = request(Ecosystem.NPM, "npm", "lodash");
    private static final PackageRequest TYPO_NPM = request(Ecosystem.NPM, "npm", "lodahs");
    private static final PackageRequest INVENTED_NPM = request(Ecosystem.NPM, "npm", "react-hooks-telemetry-kitz");

    private PackageChecker checker;

    /** Loading the snapshots and building their indexes takes about a second; done once. */
    @Setup(Level.Trial)
    public void load() {
        checker = new PackageChecker(SnapshotPackageIntel.loadShipped(), AllowList.empty());
        System.out.println("typo findings: " + checker.check(TYPO_PYPI).isPresent() + ", "
                + checker.check(TYPO_NPM).isPresent() + "; invented findings: " + checker.check(INVENTED_PYPI).isPresent()
                + ", " + checker.check(INVENTED_NPM).isPresent());
    }

    private static PackageRequest request(final Ecosystem ecosystem, final String tool, final String name) {
        return PackageRequest.name(ecosystem, tool, name, name);
    }

    @Benchmark
    public Optional<Finding> popularPypi() {
        return checker.check(POPULAR_PYPI);
    }

    @Benchmark
    public Optional<Finding> typoPypi() {
        return checker.check(TYPO_PYPI);
    }

    @Benchmark
    public Optional<Finding> inventedPypi() {
        return checker.check(INVENTED_PYPI);
    }

    @Benchmark
    public Optional<Finding> popularNpm() {
        return checker.check(POPULAR_NPM);
    }

    @Benchmark
    public Optional<Finding> typoNpm() {
        return checker.check(TYPO_NPM);
    }

    @Benchmark
    public Optional<Finding> inventedNpm() {
        return checker.check(INVENTED_NPM);
    }
}
