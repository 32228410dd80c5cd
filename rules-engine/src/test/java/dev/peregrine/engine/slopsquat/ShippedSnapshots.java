package dev.peregrine.engine.slopsquat;

/** The shipped snapshots, loaded once for all the tests of this package (loading takes seconds). */
final class ShippedSnapshots {

    private static SnapshotPackageIntel intel;
    private static PackageChecker checker;

    private ShippedSnapshots() {
    }

    static synchronized SnapshotPackageIntel intel() {
        if (intel == null) {
            intel = SnapshotPackageIntel.loadShipped();
        }
        return intel;
    }

    /** A checker over the shipped snapshots with an empty allow-list. */
    static synchronized PackageChecker checker() {
        if (checker == null) {
            checker = new PackageChecker(intel(), AllowList.empty());
        }
        return checker;
    }
}
