package dev.peregrine.engine.reload;

import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A rule set ready to run: the loaded rules and their compiled cep items.
 *
 * @param rules the loaded rules
 * @param cep   {@code rules}' active cep items, compiled ({@link CepCompiler#compile})
 */
public record LoadedRules(RuleSet rules, CepProgram cep) {

    public LoadedRules {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(cep, "cep");
    }

    /**
     * Loads {@code filesOrDirs} and compiles their cep items each time it is called; rule errors come
     * out as {@link RulesRejected}. {@code loader} must validate with {@code compiler}, so the EPL is
     * compiled once; both are used on the reload thread only.
     */
    public static Supplier<LoadedRules> fromPaths(final RuleLoader loader, final CepCompiler compiler,
                                                  final List<Path> filesOrDirs) {
        final List<Path> paths = List.copyOf(filesOrDirs);
        return () -> {
            try {
                final RuleSet rules = loader.load(paths);
                return new LoadedRules(rules, compiler.compile(rules.activeCepRules()));
            } catch (final RuleLoadException e) {
                throw new RulesRejected(e.errors());
            }
        };
    }

    /** As {@link #fromPaths}, for rule files already read (tests, rules from the classpath). */
    public static Supplier<LoadedRules> fromFiles(final RuleLoader loader, final CepCompiler compiler,
                                                  final List<RuleFile> files) {
        final List<RuleFile> copy = List.copyOf(files);
        return () -> {
            try {
                final RuleSet rules = loader.loadFiles(copy);
                return new LoadedRules(rules, compiler.compile(rules.activeCepRules()));
            } catch (final RuleLoadException e) {
                throw new RulesRejected(e.errors());
            }
        };
    }
}
