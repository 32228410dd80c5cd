package dev.peregrine.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The shipped rule files, found as the application finds them: through index.txt on the classpath. */
final class ShippedRules {

    static final String DIRECTORY = "peregrine/rules/";

    private ShippedRules() {
    }

    /** The rule file names in load order. */
    static List<String> files() {
        try (InputStream in = resource(DIRECTORY + "index.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens one rule file named in index.txt. */
    static InputStream open(final String file) {
        return resource(DIRECTORY + file);
    }

    /** The text of one rule file named in index.txt. */
    static String text(final String file) {
        try (InputStream in = open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream resource(final String name) {
        final InputStream in = ShippedRules.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("not on the classpath: " + name);
        }
        return in;
    }
}
