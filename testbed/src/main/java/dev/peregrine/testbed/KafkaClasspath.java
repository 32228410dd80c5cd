package dev.peregrine.testbed;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The classpath of the broker JVM: the testbed's own code plus its runtime jars as Maven
 * resolved them at build time ({@code kafka-broker.classpath}, written by the
 * maven-dependency-plugin). When that list is missing or names jars that are gone (a jar built
 * elsewhere, an IDE run without the Maven step), the current JVM's classpath is used instead,
 * which holds the broker's jars whenever the testbed is on it with its dependencies.
 */
final class KafkaClasspath {

    static final String RESOURCE = "kafka-broker.classpath";

    private KafkaClasspath() {
    }

    /** The classpath string to pass to {@code java -cp}. */
    static String resolve() {
        final Set<String> entries = new LinkedHashSet<>();
        ownCodeLocation().ifPresent(entries::add);
        final List<String> built = fromResource();
        if (!built.isEmpty() && built.stream().allMatch(entry -> Files.exists(Path.of(entry)))) {
            entries.addAll(built);
        } else {
            // surefire may run tests from a manifest-only jar; it names the real classpath here
            final String current = System.getProperty("surefire.test.class.path",
                    System.getProperty("java.class.path", ""));
            for (final String entry : current.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(entry);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> fromResource() {
        try (InputStream in = KafkaClasspath.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return List.of();
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            final List<String> entries = new ArrayList<>();
            for (final String entry : text.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
            return entries;
        } catch (final IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    private static Optional<String> ownCodeLocation() {
        final CodeSource source = KafkaClasspath.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()).toString());
        } catch (final URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
