package dev.peregrine.collector.ingest;

import java.util.List;

/**
 * The answer of {@code POST /v1/memory/check}: whether a memory write would be flagged, and why.
 *
 * @param flagged   whether the write has any finding ({@code "flag"}) or none ({@code "allow"})
 * @param ruleId    the rule id of the alert the write raises (its most serious finding), or {@code null} when allowed
 * @param priority  that alert's priority, as Falco names it ({@code Critical}, …), or {@code null} when allowed
 * @param findings  every finding, by offset
 * @param sha256    SHA-256 of the content, hex (the event's {@code memory.sha256} when it carried no content), or
 *                  {@code null} when it carried neither
 */
public record MemoryVerdict(boolean flagged, String ruleId, String priority, List<Finding> findings, String sha256) {

    /** Nothing found. */
    public static MemoryVerdict allow(final String sha256) {
        return new MemoryVerdict(false, null, null, List.of(), sha256);
    }

    public MemoryVerdict {
        findings = List.copyOf(findings);
    }

    /** {@code flag} or {@code allow}, as the answer says it. */
    public String verdict() {
        return flagged ? "flag" : "allow";
    }

    /**
     * One finding of a write.
     *
     * @param kind      the variant, e.g. {@code instruction} (the rule id without {@code memory_anomaly.})
     * @param offset    first UTF-16 index of the evidence in {@code memory.content} (0 with length 0: the whole write)
     * @param length    length of the evidence in UTF-16 units
     * @param detail    why, in a few words, never the secret itself
     * @param evidence  a short excerpt around the evidence with secrets masked, or {@code null} when the finding is
     *                  about the whole write (its namespace)
     */
    public record Finding(String kind, int offset, int length, String detail, String evidence) {
    }
}
