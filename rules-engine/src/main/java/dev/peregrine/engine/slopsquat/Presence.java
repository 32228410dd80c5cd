package dev.peregrine.engine.slopsquat;

/** Whether a registry snapshot holds a name. */
public enum Presence {
    /** The snapshot lists the name. */
    LISTED,
    /** A complete snapshot does not list it: the name did not exist when it was taken. */
    ABSENT,
    /** A partial snapshot does not list it: it does not exist, or is too little used to be listed. */
    NOT_LISTED,
    /** No data for this ecosystem. */
    UNKNOWN
}
