package dev.peregrine.app.console;

import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.Reload;
import dev.peregrine.engine.reload.ReloadResult;
import dev.peregrine.engine.rules.CepRuleDef;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules the engine is running now, with the text of the files they came from, for the
 * console's {@code GET /v1/rules/{id}}. A reload that is applied replaces them; one that is
 * refused or superseded does not.
 *
 * <p>The file texts are read right after the rules loaded (on the reload thread), so the YAML an
 * analyst sees is the one that runs even while someone is editing the file.
 */
public final class RunningRules {

    private static final Logger LOG = LoggerFactory.getLogger(RunningRules.class);

    /** A rule set and its files' texts by the file names its rules carry. */
    record Snapshot(RuleSet rules, Map<String, String> texts) {
    }

    private final AtomicReference<Snapshot> current;

    /** Starts with the rules loaded at start-up. */
    public RunningRules(final RuleSet initial) {
        this.current = new AtomicReference<>(snapshot(initial));
    }

    /** The rules running now. */
    public RuleSet rules() {
        return current.get().rules();
    }

    Snapshot snapshot() {
        return current.get();
    }

    /**
     * Wraps the engine's reload so that the rules it applies become the running ones here; give
     * the result to whatever triggers reloads in place of the engine's own.
     */
    public Function<Supplier<LoadedRules>, Reload> tracking(final Function<Supplier<LoadedRules>, Reload> engine) {
        return loading -> {
            final AtomicReference<Snapshot> loaded = new AtomicReference<>();
            final Reload reload = engine.apply(() -> {
                final LoadedRules rules = loading.get();
                loaded.set(snapshot(rules.rules()));
                return rules;
            });
            reload.outcome().thenAccept(result -> {
                if (result.outcome() == ReloadResult.Outcome.APPLIED && loaded.get() != null) {
                    current.set(loaded.get());
                }
            });
            return reload;
        };
    }

    private static Snapshot snapshot(final RuleSet rules) {
        final Set<String> files = new LinkedHashSet<>();
        rules.rules().stream().map(RuleDef::file).forEach(files::add);
        rules.cepRules().stream().map(CepRuleDef::file).forEach(files::add);
        final Map<String, String> texts = new HashMap<>();
        for (final String file : files) {
            read(file).ifPresent(text -> texts.put(file, text));
        }
        return new Snapshot(rules, Map.copyOf(texts));
    }

    /** A rule file by the name the loader gave it: a path on disk, or a classpath resource (the shipped rules). */
    private static Optional<String> read(final String file) {
        try {
            final Path path = Path.of(file);
            if (Files.isRegularFile(path)) {
                return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
            }
        } catch (final IOException | RuntimeException e) {
            LOG.warn("cannot read rule file {} for the console: {}", file, e.toString());
            return Optional.empty();
        }
        try (InputStream in = RunningRules.class.getClassLoader().getResourceAsStream(file)) {
            if (in != null) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (final IOException e) {
            LOG.warn("cannot read rule resource {} for the console: {}", file, e.toString());
        }
        LOG.warn("rule file {} is neither a file nor a resource; the console shows its rules without their YAML", file);
        return Optional.empty();
    }
}
