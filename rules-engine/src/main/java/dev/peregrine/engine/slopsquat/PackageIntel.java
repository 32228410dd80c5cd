package dev.peregrine.engine.slopsquat;

import java.util.List;

/**
 * Registry knowledge the slopsquat checks rely on. The shipped implementation reads offline
 * snapshots ({@link SnapshotPackageIntel}); a deployment may put a live registry lookup with
 * a cache in front of it. Implementations must be safe to call from several threads.
 */
public interface PackageIntel {

    /** What is known about {@code normalizedName} (see {@link Ecosystem#normalize}); never null. */
    PackageFacts lookup(Ecosystem ecosystem, String normalizedName);

    /** The ecosystem's most popular packages, most popular first; empty when unknown. */
    List<PopularPackage> popular(Ecosystem ecosystem);
}
