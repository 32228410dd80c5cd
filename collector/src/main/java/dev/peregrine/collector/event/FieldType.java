package dev.peregrine.collector.event;

/** The value type of a {@link Field}; decides which operators a rule may apply to it. */
public enum FieldType {
    /** Text; stored as {@link String}. */
    STRING("string"),
    /** Signed integer; stored as {@link Long}. */
    INT("int"),
    /** True or false; stored as {@link Boolean}. */
    BOOL("bool"),
    /** Nanoseconds since the Unix epoch; stored as {@link Long}. */
    TIMESTAMP("timestamp");

    private final String displayName;

    FieldType(final String displayName) {
        this.displayName = displayName;
    }

    /** The name rule authors see in error messages. */
    public String displayName() {
        return displayName;
    }

    /** Whether {@code value} is the Java representation this type stores. */
    public boolean accepts(final Object value) {
        return switch (this) {
            case STRING -> value instanceof String;
            case INT, TIMESTAMP -> value instanceof Long;
            case BOOL -> value instanceof Boolean;
        };
    }

    /** Whether ordering comparisons ({@code <}, {@code >=}, …) make sense for this type. */
    public boolean isNumeric() {
        return this == INT || this == TIMESTAMP;
    }
}
