package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PackageCheckerTest {

    private static final SnapshotInfo PYPI_SNAPSHOT = new SnapshotInfo(Ecosystem.PYPI, "2026-11-27", true, "test", 4);
    private static final SnapshotInfo NPM_SNAPSHOT = new SnapshotInfo(Ecosystem.NPM, "2026-11-27", false, "test", 3);

    /** Registry knowledge from a map, as a deployment's own {@link PackageIntel} would give it. */
    private static final class MapIntel implements PackageIntel {
        private final Map<String, PackageFacts> facts = Map.of(
                "pypi:requests", new PackageFacts(Ecosystem.PYPI, "requests", Presence.LISTED, 6, -1, true, false, PYPI_SNAPSHOT),
                "pypi:fresh-helper", new PackageFacts(Ecosystem.PYPI, "fresh-helper", Presence.LISTED, 0, -1, false, true, PYPI_SNAPSHOT),
                "pypi:old-helper", new PackageFacts(Ecosystem.PYPI, "old-helper", Presence.LISTED, 0, -1, false, false, PYPI_SNAPSHOT),
                "npm:lodash", new PackageFacts(Ecosystem.NPM, "lodash", Presence.LISTED, 1, 452_434_618, true, false, NPM_SNAPSHOT),
                "npm:tiny-lib", new PackageFacts(Ecosystem.NPM, "tiny-lib", Presence.LISTED, 0, 600, false, false, NPM_SNAPSHOT),
                "npm:solid-lib", new PackageFacts(Ecosystem.NPM, "solid-lib", Presence.LISTED, 0, 40_000, false, false, NPM_SNAPSHOT));

        @Override
        public PackageFacts lookup(final Ecosystem ecosystem, final String normalizedName) {
            final PackageFacts known = facts.get(ecosystem.id() + ":" + normalizedName);
            if (known != null) {
                return known;
            }
            return switch (ecosystem) {
                case PYPI -> new PackageFacts(ecosystem, normalizedName, Presence.ABSENT, 0, -1, false, false, PYPI_SNAPSHOT);
                case NPM -> new PackageFacts(ecosystem, normalizedName, Presence.NOT_LISTED, 0, -1, false, false, NPM_SNAPSHOT);
                default -> PackageFacts.unknown(ecosystem, normalizedName);
            };
        }

        @Override
        public List<PopularPackage> popular(final Ecosystem ecosystem) {
            return switch (ecosystem) {
                case PYPI -> List.of(new PopularPackage("requests", 6, -1));
                case NPM -> List.of(new PopularPackage("lodash", 1, 452_434_618));
                default -> List.of();
            };
        }
    }

    private final PackageChecker checker = new PackageChecker(new MapIntel(), AllowList.of(List.of("pypi:acme-*")));

    private Optional<Verdict> verdict(final Ecosystem ecosystem, final String name) {
        return checker.check(PackageRequest.name(ecosystem, "test", name, name)).map(Finding::verdict);
    }

    @Test
    void popularAndAllowListedNamesPass() {
        assertThat(verdict(Ecosystem.PYPI, "Requests")).isEmpty();
        assertThat(verdict(Ecosystem.NPM, "lodash")).isEmpty();
        assertThat(verdict(Ecosystem.PYPI, "acme_internal.billing")).isEmpty();
    }

    @Test
    void aNameCloseToAPopularOneIsATyposquatWhetherOrNotItExists() {
        assertThat(verdict(Ecosystem.PYPI, "reqeusts")).contains(Verdict.TYPOSQUAT);
        assertThat(verdict(Ecosystem.NPM, "lodahs")).contains(Verdict.TYPOSQUAT);
    }

    @Test
    void absenceFromACompleteSnapshotIsNotInRegistryAndFromAPartialOneIsLowPopularity() {
        assertThat(verdict(Ecosystem.PYPI, "totally-made-up-helper")).contains(Verdict.NOT_IN_REGISTRY);
        assertThat(verdict(Ecosystem.NPM, "totally-made-up-helper")).contains(Verdict.LOW_POPULARITY);
    }

    @Test
    void youngOrBarelyDownloadedPackagesHaveLowPopularity() {
        assertThat(verdict(Ecosystem.PYPI, "fresh-helper")).contains(Verdict.LOW_POPULARITY);
        assertThat(verdict(Ecosystem.PYPI, "old-helper")).isEmpty();
        assertThat(verdict(Ecosystem.NPM, "tiny-lib")).contains(Verdict.LOW_POPULARITY);
        assertThat(verdict(Ecosystem.NPM, "solid-lib")).isEmpty();
    }

    @Test
    void ecosystemsWithoutDataRaiseNothingForNames() {
        assertThat(verdict(Ecosystem.CRATES, "serdee")).isEmpty();
        assertThat(checker.check(PackageRequest.directUrl(Ecosystem.CRATES, "cargo install", "", "https://x/y.git"))
                .map(Finding::verdict)).contains(Verdict.DIRECT_URL_INSTALL);
    }

    @Test
    void theEvidenceNamesTheClosestPopularPackage() {
        final Finding finding = checker.check(PackageRequest.name(Ecosystem.PYPI, "pip install", "reqeusts", "reqeusts==1"))
                .orElseThrow();

        assertThat(finding.similar()).hasValueSatisfying(similar -> {
            assertThat(similar.target().name()).isEqualTo("requests");
            assertThat(similar.distance()).isEqualTo(1);
        });
        assertThat(finding.facts().presence()).isEqualTo(Presence.ABSENT);
        assertThat(finding.facts().snapshot().date()).isEqualTo("2026-11-27");
    }
}
