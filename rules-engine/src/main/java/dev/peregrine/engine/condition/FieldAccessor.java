package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads one field of an event, resolved once at compile time: a registered {@link Field}
 * is a slot read; a name in a namespace the registry does not own is the input's own key,
 * read from {@link Event#extra(String)} (the only place evaluation looks a name up).
 */
public sealed interface FieldAccessor {

    /** The value, or {@code null} when the event lacks it. */
    Object read(Event event);

    /** The field name as rules write it. */
    String name();

    /** The registered field's type; extras have none and are compared as text (numbers when ordered). */
    FieldType type();

    /** A registered field, read from its slot. */
    record Slot(Field field) implements FieldAccessor {
        @Override
        public Object read(final Event event) {
            return event.get(field);
        }

        @Override
        public String name() {
            return field.name();
        }

        @Override
        public FieldType type() {
            return field.type();
        }
    }

    /** An input key outside the registry's namespaces, e.g. {@code k8s.ns.name}, read from the event's extras. */
    record Extra(String name) implements FieldAccessor {
        @Override
        public Object read(final Event event) {
            return event.extra(name);
        }

        @Override
        public FieldType type() {
            return null;
        }
    }

    /**
     * A field passed through Falco transformers (falco.org/docs/concepts/rules/conditions,
     * "Transformers"), innermost applied first. A transformer whose input is missing, or that
     * cannot decode it ({@code b64} of text that is not Base64), yields a missing value.
     *
     * @param inner        the field read
     * @param transformers the transformers, outermost first, as written
     */
    record Transformed(FieldAccessor inner, List<String> transformers) implements FieldAccessor {
        public Transformed {
            transformers = List.copyOf(transformers);
        }

        @Override
        public Object read(final Event event) {
            Object value = inner.read(event);
            for (int i = transformers.size() - 1; i >= 0 && value != null; i--) {
                value = apply(transformers.get(i), value.toString());
            }
            return value;
        }

        private static Object apply(final String transformer, final String value) {
            switch (transformer) {
                case "tolower":
                    return value.toLowerCase(Locale.ROOT);
                case "toupper":
                    return value.toUpperCase(Locale.ROOT);
                case "b64":
                    try {
                        return new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8);
                    } catch (final IllegalArgumentException e) {
                        return null;
                    }
                case "basename": {
                    // Falco's basename: the text after the last '/', "" for a path ending in '/'.
                    return value.substring(value.lastIndexOf('/') + 1);
                }
                case "len":
                    return (long) value.length();
                default:
                    throw new IllegalStateException("unknown transformer " + transformer);
            }
        }

        @Override
        public String name() {
            String name = inner.name();
            for (int i = transformers.size() - 1; i >= 0; i--) {
                name = transformers.get(i) + "(" + name + ")";
            }
            return name;
        }

        @Override
        public FieldType type() {
            return "len".equals(transformers.get(0)) ? FieldType.INT : FieldType.STRING;
        }
    }
}
