package dev.peregrine.collector.event;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every field an event can carry (spec §1), each with its type, description and slot.
 *
 * <p>The registry is immutable; {@link #standard()} is the one used everywhere. Rules resolve
 * field names here once, at compile time.
 */
public final class FieldRegistry {

    private final Map<String, Field> byName;
    private final List<Field> bySlot;

    private FieldRegistry(final Map<String, Field> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        this.bySlot = List.copyOf(byName.values());
    }

    /** The registry of all fields Peregrine knows. */
    public static FieldRegistry standard() {
        return StandardFields.REGISTRY;
    }

    /** The field named {@code name}, if known. */
    public Optional<Field> find(final String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The field named {@code name}; throws if unknown (for code, not for user input). */
    public Field require(final String name) {
        final Field field = byName.get(name);
        if (field == null) {
            throw new IllegalArgumentException("unknown field '" + name + "'");
        }
        return field;
    }

    /** The field stored in {@code slot}. */
    public Field bySlot(final int slot) {
        return bySlot.get(slot);
    }

    /** Number of slots an event of this registry has. */
    public int size() {
        return bySlot.size();
    }

    /** All fields, in slot order. */
    public Collection<Field> fields() {
        return bySlot;
    }

    /**
     * Whether {@code name} sits in a namespace the registry owns ({@code proc.}, {@code fd.}, …).
     * A misspelt name there is an error; a name in a foreign namespace is an input's own key.
     */
    public boolean ownsNamespaceOf(final String name) {
        final int dot = name.indexOf('.');
        if (dot <= 0) {
            return byName.containsKey(name);
        }
        final String prefix = name.substring(0, dot + 1);
        for (final String known : byName.keySet()) {
            if (known.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The known field name closest to {@code name} by edit distance, for "did you mean" hints;
     * empty when nothing is close enough to be a plausible typo.
     */
    public Optional<String> closest(final String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String known : byName.keySet()) {
            final int distance = editDistance(name, known);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = known;
            }
        }
        final int tolerance = Math.max(2, name.length() / 4);
        return bestDistance <= tolerance ? Optional.of(best) : Optional.empty();
    }

    private static int editDistance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** Collects field definitions and assigns slots in declaration order. */
    static final class Builder {
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private final List<String> duplicates = new ArrayList<>();

        Field add(final String name, final FieldType type, final String description) {
            final Field field = new Field(name, type, description, fields.size());
            if (fields.putIfAbsent(name, field) != null) {
                duplicates.add(name);
            }
            return field;
        }

        FieldRegistry build() {
            if (!duplicates.isEmpty()) {
                throw new IllegalStateException("fields defined twice: " + duplicates);
            }
            return new FieldRegistry(new LinkedHashMap<>(fields));
        }
    }
}
