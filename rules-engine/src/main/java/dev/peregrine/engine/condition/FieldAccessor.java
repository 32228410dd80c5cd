package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;

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
}
