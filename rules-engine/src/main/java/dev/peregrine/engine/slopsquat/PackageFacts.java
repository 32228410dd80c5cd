package dev.peregrine.engine.slopsquat;

/**
 * What a {@link PackageIntel} knows about one package name.
 *
 * @param ecosystem        the registry
 * @param name             the normalized name looked up
 * @param presence         whether the registry has it
 * @param rank             download rank (1 = most downloaded), or 0 when unranked or unknown
 * @param monthlyDownloads downloads a month, or -1 when unknown
 * @param popular          widely used: never a typosquat suspect itself
 * @param young            first published shortly before the snapshot and not ranked
 * @param snapshot         the data this comes from, or {@code null} for a source without one
 */
public record PackageFacts(Ecosystem ecosystem, String name, Presence presence, long rank, long monthlyDownloads,
                           boolean popular, boolean young, SnapshotInfo snapshot) {

    /** Facts for an ecosystem nothing is known about. */
    public static PackageFacts unknown(final Ecosystem ecosystem, final String name) {
        return new PackageFacts(ecosystem, name, Presence.UNKNOWN, 0, -1, false, false, null);
    }
}
