package dev.peregrine.collector.event;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One normalized event: typed values in the slots of the {@link FieldRegistry#standard()}
 * registry, plus the input's own keys that no registered field names ({@link #extras()}).
 *
 * <p>Immutable. {@code evt.time} is always present; {@code evt.failed} and {@code proc.cmdline}
 * are derived when the source did not give them.
 */
public final class Event {

    private static final FieldRegistry REGISTRY = FieldRegistry.standard();

    private final Object[] values;
    private final Map<String, Object> extras;
    private final Ancestry ancestry;

    private Event(final Object[] values, final Map<String, Object> extras, final Ancestry ancestry) {
        this.values = values;
        this.extras = extras;
        this.ancestry = ancestry;
    }

    /** A builder for a new event. */
    public static Builder builder() {
        return new Builder();
    }

    /** Event time, nanoseconds since the epoch. */
    public long timeNanos() {
        return (Long) values[StandardFields.EVT_TIME.slot()];
    }

    /** The value of {@code field}, or {@code null} when the event does not carry it. */
    public Object get(final Field field) {
        return values[field.slot()];
    }

    /** The value of a string field, or {@code null}. */
    public String getString(final Field field) {
        final Object value = values[field.slot()];
        // Most values are text: spare them the virtual toString() call, which is megamorphic here.
        return value instanceof String text ? text : value == null ? null : value.toString();
    }

    /** Whether the event carries {@code field}. */
    public boolean has(final Field field) {
        return values[field.slot()] != null;
    }

    /** An input key that no registered field names, as the input gave it (String, Long, Double, Boolean). */
    public Object extra(final String key) {
        return extras.get(key);
    }

    /** All input keys that no registered field names. */
    public Map<String, Object> extras() {
        return extras;
    }

    /**
     * The ancestors of the event's process as a process tree resolved them (parent first), or
     * {@link Ancestry#NONE} when nothing resolved them; read by {@code proc.aname[N]} and kin.
     */
    public Ancestry ancestry() {
        return ancestry;
    }

    /** A copy of this event with {@code field} set to {@code value} ({@code null} clears it). */
    public Event with(final Field field, final Object value) {
        final Builder builder = toBuilder();
        builder.set(field, value);
        return builder.build();
    }

    /** A builder holding this event's values. */
    public Builder toBuilder() {
        final Builder builder = new Builder();
        System.arraycopy(values, 0, builder.values, 0, values.length);
        builder.extras.putAll(extras);
        builder.ancestry = ancestry;
        return builder;
    }

    /** The event as an ordered map of field name to value, registered fields first. */
    public Map<String, Object> toMap() {
        final Map<String, Object> map = new LinkedHashMap<>();
        for (int slot = 0; slot < values.length; slot++) {
            if (values[slot] != null) {
                map.put(REGISTRY.bySlot(slot).name(), values[slot]);
            }
        }
        map.putAll(extras);
        return map;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Event event
                && Arrays.equals(values, event.values)
                && extras.equals(event.extras)
                && ancestry.equals(event.ancestry);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(values) + extras.hashCode()) + ancestry.hashCode();
    }

    @Override
    public String toString() {
        return "Event" + toMap();
    }

    /**
     * Collects values for one event; not thread-safe. After {@link #build()} it holds the built
     * event's values until {@link #clear()} empties it for the next one.
     */
    public static final class Builder {
        private final Object[] values = new Object[REGISTRY.size()];
        private final Map<String, Object> extras = new LinkedHashMap<>();
        private Ancestry ancestry = Ancestry.NONE;

        private Builder() {
        }

        /**
         * Forgets every value, extra and ancestry set, so that one builder collects event after
         * event (as a parser does, sparing a slot array per event); events built before keep theirs.
         */
        public Builder clear() {
            Arrays.fill(values, null);
            extras.clear();
            ancestry = Ancestry.NONE;
            return this;
        }

        /** Sets the process's ancestors ({@code null}: none known). */
        public Builder ancestry(final Ancestry value) {
            ancestry = value == null ? Ancestry.NONE : value;
            return this;
        }

        /**
         * Sets {@code field}; the value must be the Java type the field's {@link FieldType}
         * stores, otherwise this throws {@link IllegalArgumentException} naming the field.
         */
        public Builder set(final Field field, final Object value) {
            if (value != null && !field.type().accepts(value)) {
                throw new IllegalArgumentException("field '" + field.name() + "' is " + field.type().displayName()
                        + ", not " + value.getClass().getSimpleName());
            }
            values[field.slot()] = value;
            return this;
        }

        /** Sets a string field. */
        public Builder set(final Field field, final String value) {
            return set(field, (Object) value);
        }

        /** Sets an int or timestamp field. */
        public Builder set(final Field field, final long value) {
            return set(field, (Object) value);
        }

        /** Sets a bool field. */
        public Builder set(final Field field, final boolean value) {
            return set(field, (Object) Boolean.valueOf(value));
        }

        /** Sets {@code evt.time}. */
        public Builder time(final long epochNanos) {
            return set(StandardFields.EVT_TIME, epochNanos);
        }

        /** Whether {@code field} has been set. */
        public boolean has(final Field field) {
            return values[field.slot()] != null;
        }

        /** The value set for {@code field} so far, or {@code null}. */
        public Object get(final Field field) {
            return values[field.slot()];
        }

        /** Keeps an input key that no registered field names. */
        public Builder extra(final String key, final Object value) {
            extras.put(Objects.requireNonNull(key), value);
            return this;
        }

        /**
         * The event. Throws {@link IllegalStateException} when {@code evt.time} is missing;
         * fills {@code evt.failed} from {@code evt.res} and {@code proc.cmdline} from
         * {@code proc.name} + {@code proc.args} when the source did not; {@code proc.exepath}
         * from an absolute {@code proc.exe}; and for a file ({@code fd.type} unset, {@code file}
         * or {@code directory}) with an absolute {@code fd.name}, {@code fd.directory} and
         * {@code fd.filename}.
         */
        public Event build() {
            if (values[StandardFields.EVT_TIME.slot()] == null) {
                throw new IllegalStateException("evt.time is missing");
            }
            final Object res = values[StandardFields.EVT_RES.slot()];
            if (values[StandardFields.EVT_FAILED.slot()] == null && res != null) {
                values[StandardFields.EVT_FAILED.slot()] = !"SUCCESS".equals(res);
            }
            final Object name = values[StandardFields.PROC_NAME.slot()];
            if (values[StandardFields.PROC_CMDLINE.slot()] == null && name != null) {
                final Object args = values[StandardFields.PROC_ARGS.slot()];
                values[StandardFields.PROC_CMDLINE.slot()] =
                        args == null || args.toString().isEmpty() ? name : name + " " + args;
            }
            final Object exe = values[StandardFields.PROC_EXE.slot()];
            if (values[StandardFields.PROC_EXEPATH.slot()] == null && exe != null && exe.toString().startsWith("/")) {
                values[StandardFields.PROC_EXEPATH.slot()] = exe;
            }
            deriveFileNames();
            return new Event(values.clone(),
                    extras.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras)), ancestry);
        }

        /** fd.directory and fd.filename as Falco gives them for files: "/etc" and "passwd" for "/etc/passwd". */
        private void deriveFileNames() {
            final Object fdName = values[StandardFields.FD_NAME.slot()];
            final Object fdType = values[StandardFields.FD_TYPE.slot()];
            if (!(fdName instanceof String path) || !path.startsWith("/")
                    || fdType != null && !"file".equals(fdType) && !"directory".equals(fdType)) {
                return;
            }
            final int slash = path.lastIndexOf('/');
            if (values[StandardFields.FD_DIRECTORY.slot()] == null) {
                values[StandardFields.FD_DIRECTORY.slot()] = slash == 0 ? "/" : path.substring(0, slash);
            }
            if (values[StandardFields.FD_FILENAME.slot()] == null) {
                values[StandardFields.FD_FILENAME.slot()] = path.substring(slash + 1);
            }
        }
    }
}
