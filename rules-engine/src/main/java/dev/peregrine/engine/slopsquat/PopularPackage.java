package dev.peregrine.engine.slopsquat;

/**
 * A widely used package, a name typosquats imitate.
 *
 * @param name             normalized name
 * @param rank             1 for the most popular of its ecosystem
 * @param monthlyDownloads downloads a month, or -1 when the source gives ranks only
 */
public record PopularPackage(String name, int rank, long monthlyDownloads) {
}
