package dev.peregrine.engine.slopsquat;

/**
 * Where a registry snapshot came from, quoted in every alert it backs.
 *
 * @param ecosystem the registry
 * @param date      when it was taken, {@code YYYY-MM-DD}
 * @param complete  whether it lists every name (then absence means "did not exist")
 * @param source    what it was built from
 * @param names     how many names it holds
 */
public record SnapshotInfo(Ecosystem ecosystem, String date, boolean complete, String source, int names) {
}
