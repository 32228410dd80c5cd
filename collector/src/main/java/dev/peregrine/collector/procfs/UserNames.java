package dev.peregrine.collector.procfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** User names by uid from a {@code passwd} file, read once: a poll must not pay a lookup per process. */
final class UserNames {

    private final Map<Integer, String> names;

    private UserNames(final Map<Integer, String> names) {
        this.names = names;
    }

    /** The users of {@code passwd}; none when it cannot be read (names then stay absent, uids do not). */
    static UserNames read(final Path passwd) {
        final Map<Integer, String> names = new HashMap<>();
        try {
            for (final String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
                final String[] parts = line.split(":", -1);
                if (parts.length >= 3 && !line.startsWith("#")) {
                    try {
                        names.putIfAbsent(Integer.parseInt(parts[2]), parts[0]);
                    } catch (final NumberFormatException e) {
                        // not a user line
                    }
                }
            }
        } catch (final IOException e) {
            return new UserNames(Map.of());
        }
        return new UserNames(Map.copyOf(names));
    }

    /** The name of {@code uid}, or {@code null}. */
    String name(final int uid) {
        return names.get(uid);
    }
}
