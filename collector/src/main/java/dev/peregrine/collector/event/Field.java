package dev.peregrine.collector.event;

/**
 * One named, typed field of the normalized event, bound to a fixed slot so that reading it
 * is an array access rather than a hash lookup.
 */
public record Field(String name, FieldType type, String description, int slot) {

    @Override
    public String toString() {
        return name;
    }
}
