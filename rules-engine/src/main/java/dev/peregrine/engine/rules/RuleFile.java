package dev.peregrine.engine.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The text of one rule file and the name errors should show for it.
 *
 * @param name file name or resource path, as it should appear in {@code name:line:column}
 * @param text the YAML
 */
public record RuleFile(String name, String text) {

    public RuleFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
    }

    /** The classpath resource {@code resource} (no leading slash) of {@code loader}, named by its path. */
    public static RuleFile ofResource(final ClassLoader loader, final String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("not on the classpath: " + resource);
            }
            return new RuleFile(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
