package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Ancestry;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
     * One ancestor of the event's process, {@code proc.aname[2]}: index 1 is the parent, 2 the
     * grandparent, …, 0 the process itself (its own field). Read from the event's
     * {@link Event#ancestry()}; where that does not say, index 1 is the event's own parent field
     * ({@code proc.pname}, …), and then an input key of the same name ({@code proc.aname[2]} in a
     * Falco alert's {@code output_fields}); else missing.
     *
     * @param attribute what of the ancestor is read
     * @param index     0 for the process itself, 1 for its parent, …
     */
    record Ancestor(AncestorAttribute attribute, int index) implements FieldAccessor {
        @Override
        public Object read(final Event event) {
            if (index == 0) {
                return event.get(attribute.self());
            }
            final Ancestry.Ancestor ancestor = event.ancestry().get(index);
            Object value = ancestor == null ? null : attribute.of(ancestor);
            if (value == null && index == 1) {
                value = event.get(attribute.parent());
            }
            return value != null ? value : attribute.fromExtra(event.extra(name()));
        }

        @Override
        public String name() {
            return attribute.fieldName() + "[" + index + "]";
        }

        @Override
        public FieldType type() {
            return attribute.type();
        }
    }

    /**
     * An ancestor field without index, {@code proc.aname}: a condition on it holds when it holds
     * for any known ancestor ({@link #readAll}); as a value (output, {@code val()}, inside a
     * transformer) it is the parent's, as in Falco. Without ancestry, the event's own parent field
     * ({@code proc.pname}, …) is the one known ancestor.
     *
     * @param attribute what of the ancestors is read
     */
    record AnyAncestor(AncestorAttribute attribute) implements FieldAccessor, MultiValued {
        @Override
        public Object read(final Event event) {
            final Ancestry.Ancestor parent = event.ancestry().get(1);
            final Object value = parent == null ? null : attribute.of(parent);
            return value != null ? value : event.get(attribute.parent());
        }

        /** The attribute of every known ancestor, nearest first, unknown values left out. */
        @Override
        public List<Object> readAll(final Event event) {
            final List<Ancestry.Ancestor> ancestors = event.ancestry().ancestors();
            if (ancestors.isEmpty()) {
                final Object parent = event.get(attribute.parent());
                return parent == null ? List.of() : List.of(parent);
            }
            final List<Object> values = new ArrayList<>(ancestors.size());
            for (final Ancestry.Ancestor ancestor : ancestors) {
                final Object value = attribute.of(ancestor);
                if (value != null) {
                    values.add(value);
                }
            }
            return values;
        }

        /** As {@link #readAll} then a test of each, without building the list: this runs per event. */
        @Override
        public boolean anyMatch(final Event event, final ValueTest test) {
            final List<Ancestry.Ancestor> ancestors = event.ancestry().ancestors();
            if (ancestors.isEmpty()) {
                final Object parent = event.get(attribute.parent());
                return parent != null && test.test(parent);
            }
            for (int i = 0; i < ancestors.size(); i++) {
                final Object value = attribute.of(ancestors.get(i));
                if (value != null && test.test(value)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String name() {
            return attribute.fieldName();
        }

        @Override
        public FieldType type() {
            return attribute.type();
        }
    }

    /**
     * Falco's filter-only endpoint fields: {@code fd.ip} (either end of a connection),
     * {@code fd.net} (either end, compared as networks), {@code fd.snet}/{@code fd.cnet} (the
     * server's/client's address, as networks). A comparison holds when it holds for any end
     * present; as a value it is the first end present.
     *
     * @param name    the field name as rules write it
     * @param ends    the address fields read, e.g. {@code fd.cip}, {@code fd.sip}
     * @param network whether values are CIDR blocks ({@code "10.0.0.0/8"}) rather than addresses
     */
    record Endpoints(String name, List<Field> ends, boolean network) implements FieldAccessor, MultiValued {
        public Endpoints {
            ends = List.copyOf(ends);
        }

        @Override
        public Object read(final Event event) {
            for (final Field end : ends) {
                final Object value = event.get(end);
                if (value != null) {
                    return value;
                }
            }
            return null;
        }

        @Override
        public List<Object> readAll(final Event event) {
            final List<Object> values = new ArrayList<>(ends.size());
            for (final Field end : ends) {
                final Object value = event.get(end);
                if (value != null) {
                    values.add(value);
                }
            }
            return values;
        }

        /** As {@link #readAll} then a test of each, without building the list: this runs per event. */
        @Override
        public boolean anyMatch(final Event event, final ValueTest test) {
            for (int i = 0; i < ends.size(); i++) {
                final Object value = event.get(ends.get(i));
                if (value != null && test.test(value)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public FieldType type() {
            return FieldType.STRING;
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
