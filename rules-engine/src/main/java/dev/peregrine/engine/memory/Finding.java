package dev.peregrine.engine.memory;

/**
 * One thing wrong with a memory entry, with its evidence span in {@code memory.content}.
 *
 * @param kind    what it is
 * @param start   first UTF-16 index of the evidence in the content (0 and 0 when it is about the whole write)
 * @param end     index after the evidence
 * @param detail  why, in a few words, never the secret itself
 * @param taints  whether the entry is remembered as poisoned, so that other agents' reads of it alert
 */
public record Finding(FindingKind kind, int start, int end, String detail, boolean taints) {

    /** {@code kind@start-end (detail)}, as alerts list findings. */
    public String describe() {
        return kind.variant() + "@" + start + "-" + end + " (" + detail + ")";
    }
}
