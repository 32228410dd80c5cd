package dev.peregrine.engine.condition;

import dev.peregrine.collector.event.Ancestry;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.StandardFields;
import java.util.Optional;

/**
 * Falco's ancestor fields ({@code proc.aname[N]}, {@code proc.apid[N]}, {@code proc.aexe[N]},
 * {@code proc.aexepath[N]}): which ancestor attribute each reads from an event's
 * {@link dev.peregrine.collector.event.Event#ancestry()}, and which field of the process itself
 * index 0 means.
 */
public enum AncestorAttribute {
    /** {@code proc.aname}: the ancestor's name. */
    NAME("proc.aname", StandardFields.PROC_NAME, StandardFields.PROC_PNAME),
    /** {@code proc.apid}: the ancestor's pid. */
    PID("proc.apid", StandardFields.PROC_PID, StandardFields.PROC_PPID),
    /** {@code proc.aexe}: the ancestor's executable as given to exec. */
    EXE("proc.aexe", StandardFields.PROC_EXE, StandardFields.PROC_PEXE),
    /** {@code proc.aexepath}: the ancestor's executable when it is a full path. */
    EXEPATH("proc.aexepath", StandardFields.PROC_EXEPATH, StandardFields.PROC_PEXEPATH);

    private final String fieldName;
    private final Field self;
    private final Field parent;

    AncestorAttribute(final String fieldName, final Field self, final Field parent) {
        this.fieldName = fieldName;
        this.self = self;
        this.parent = parent;
    }

    /** The attribute Falco's field {@code name} reads, if it is an ancestor field. */
    public static Optional<AncestorAttribute> of(final String name) {
        for (final AncestorAttribute attribute : values()) {
            if (attribute.fieldName.equals(name)) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    /** The field name rules write, e.g. {@code proc.aname}. */
    public String fieldName() {
        return fieldName;
    }

    /** The type of its values. */
    public FieldType type() {
        return self.type();
    }

    /** The event's own field that index 0 (the process itself) reads. */
    public Field self() {
        return self;
    }

    /** The event's own parent field that stands in for index 1 when the ancestry does not say ({@code proc.pname}). */
    public Field parent() {
        return parent;
    }

    /**
     * An input's own value for an ancestor field ({@code proc.aname[2]} in a Falco alert's
     * {@code output_fields}) as this attribute's type, or {@code null} when it does not fit.
     */
    Object fromExtra(final Object extra) {
        if (extra == null) {
            return null;
        }
        if (type() == FieldType.STRING) {
            return extra.toString();
        }
        if (extra instanceof Long number) {
            return number;
        }
        try {
            return Long.parseLong(extra.toString());
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    /** This attribute of {@code ancestor}, or {@code null} when unknown. */
    public Object of(final Ancestry.Ancestor ancestor) {
        return switch (this) {
            case NAME -> ancestor.name();
            case PID -> ancestor.pid();
            case EXE -> ancestor.exe();
            case EXEPATH -> ancestor.exe() != null && ancestor.exe().startsWith("/") ? ancestor.exe() : null;
        };
    }
}
