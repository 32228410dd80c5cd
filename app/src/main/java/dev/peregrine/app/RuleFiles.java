package dev.peregrine.app;

import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.rules.RuleLoadError;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.rules.RuleFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Where rules come from: the files a user names, or the rule set shipped inside Peregrine. */
final class RuleFiles {

    /** The shipped rule files are listed here, in load order (a jar's directories cannot be listed). */
    static final String SHIPPED_INDEX = "peregrine/rules/index.txt";

    private RuleFiles() {
    }

    /**
     * Compiles the EPL of {@code - cep:} items. One per process: Esper compiles slowly (about a
     * second for a handful of statements) and the compiler reuses what it compiled for the same
     * items, so validating the rules and building the engine compile each statement once.
     */
    private static final CepCompiler CEP = new CepCompiler(FieldRegistry.standard());

    /** Loads {@code paths}, or the shipped rules when none are given; a broken file (EPL included) is a usage error. */
    static synchronized RuleSet load(final List<Path> paths) {
        final RuleLoader loader = new RuleLoader(FieldRegistry.standard(), CEP);
        try {
            return paths.isEmpty() ? loader.loadFiles(shipped()) : loader.load(paths);
        } catch (final RuleLoadException e) {
            throw new UsageException("rules did not load:\n" + e.errors().stream()
                    .map(RuleLoadError::toString).collect(Collectors.joining("\n")));
        }
    }


    /** The compiled {@code - cep:} items of {@code rules}, ready to deploy into an engine. */
    static synchronized CepProgram cepProgram(final RuleSet rules) {
        try {
            return CEP.compile(rules.activeCepRules());
        } catch (final RuleLoadException e) {
            throw new UsageException("rules did not load:\n" + e.errors().stream()
                    .map(RuleLoadError::toString).collect(Collectors.joining("\n")));
        }
    }

    /**
     * Loads {@code paths} (or the shipped rules) afresh each time it is called, for a rule reload:
     * with a loader and EPL compiler of its own, since it runs on the reload thread.
     */
    static Supplier<LoadedRules> reloading(final List<Path> paths) {
        final CepCompiler compiler = new CepCompiler(FieldRegistry.standard());
        final RuleLoader loader = new RuleLoader(FieldRegistry.standard(), compiler);
        return paths.isEmpty() ? LoadedRules.fromFiles(loader, compiler, shipped())
                : LoadedRules.fromPaths(loader, compiler, paths);
    }

    /** The shipped rule files, in the order of their index, named by their classpath resource path. */
    static List<RuleFile> shipped() {
        final ClassLoader classLoader = RuleFiles.class.getClassLoader();
        final List<RuleFile> files = new ArrayList<>();
        for (final String file : indexEntries(classLoader)) {
            files.add(RuleFile.ofResource(classLoader, "peregrine/rules/" + file));
        }
        return files;
    }

    private static List<String> indexEntries(final ClassLoader classLoader) {
        try (InputStream in = classLoader.getResourceAsStream(SHIPPED_INDEX)) {
            if (in == null) {
                throw new IllegalStateException(SHIPPED_INDEX + " is missing from the build");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (final IOException e) {
            throw new UncheckedIOException("reading " + SHIPPED_INDEX, e);
        }
    }
}
