package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class SnapshotPackageIntelTest {

    private final SnapshotPackageIntel intel = ShippedSnapshots.intel();

    @Test
    void pypiNamesAreComparedInTheirPep503Form() {
        final PackageFacts facts = intel.lookup(Ecosystem.PYPI, Ecosystem.PYPI.normalize("Typing_Extensions"));

        assertThat(facts.presence()).isEqualTo(Presence.LISTED);
        assertThat(facts.popular()).isTrue();
        assertThat(facts.rank()).isBetween(1L, 100L);
        assertThat(Ecosystem.PYPI.normalize("Zope.Interface__x")).isEqualTo("zope-interface-x");
    }

    @Test
    void theCompletePypiSnapshotSaysAbsentAndThePartialNpmOneSaysNotListed() {
        assertThat(intel.lookup(Ecosystem.PYPI, "flask-gpt-helper").presence()).isEqualTo(Presence.ABSENT);
        assertThat(intel.lookup(Ecosystem.NPM, "react-gpt-hooks").presence()).isEqualTo(Presence.NOT_LISTED);
        assertThat(intel.info(Ecosystem.PYPI).complete()).isTrue();
        assertThat(intel.info(Ecosystem.NPM).complete()).isFalse();
        assertThat(intel.info(Ecosystem.PYPI).names()).isGreaterThan(800_000);
        assertThat(intel.info(Ecosystem.PYPI).date()).isEqualTo("2026-11-27");
    }

    @Test
    void npmFactsCarryDownloadsAndScopedNamesAreFound() {
        final PackageFacts lodash = intel.lookup(Ecosystem.NPM, "lodash");
        assertThat(lodash.monthlyDownloads()).isGreaterThan(100_000_000L);
        assertThat(lodash.popular()).isTrue();
        assertThat(intel.lookup(Ecosystem.NPM, "@types/node").popular()).isTrue();
        // above 2^31: stored unsigned
        assertThat(intel.popular(Ecosystem.NPM).get(0).monthlyDownloads()).isGreaterThan(Integer.MAX_VALUE);
    }

    @Test
    void ecosystemsWithoutASnapshotAreUnknown() {
        assertThat(intel.lookup(Ecosystem.CRATES, "serde").presence()).isEqualTo(Presence.UNKNOWN);
        assertThat(intel.popular(Ecosystem.RUBYGEMS)).isEmpty();
    }

    @Test
    void everyNameOfASnapshotIsFoundAndNoOtherIs() throws IOException {
        final SnapshotPackageIntel small = SnapshotPackageIntel.load(Map.of(Ecosystem.PYPI, gzip("""
                # peregrine-package-intel 1
                # ecosystem: pypi
                # snapshot: 2026-01-02
                # coverage: complete
                a\t\t
                aa\t\t
                ab\t2\t
                abc\t\ty
                abd\t1\t
                b\t\t
                """)), 10);

        for (final String name : new String[] {"a", "aa", "ab", "abc", "abd", "b"}) {
            assertThat(small.lookup(Ecosystem.PYPI, name).presence()).as(name).isEqualTo(Presence.LISTED);
        }
        for (final String name : new String[] {"", "0", "ab0", "abe", "ba", "c"}) {
            assertThat(small.lookup(Ecosystem.PYPI, name).presence()).as(name).isEqualTo(Presence.ABSENT);
        }
        assertThat(small.lookup(Ecosystem.PYPI, "abc").young()).isTrue();
        assertThat(small.popular(Ecosystem.PYPI)).extracting(PopularPackage::name).containsExactly("abd", "ab");
    }

    @Test
    void aCorruptSnapshotFailsWithItsLineNumber() {
        assertThatThrownBy(() -> SnapshotPackageIntel.load(Map.of(Ecosystem.PYPI, gzip("b\t\t\na\t\t\n")), 10))
                .hasMessageContaining(":2: names out of order");
        assertThatThrownBy(() -> SnapshotPackageIntel.load(Map.of(Ecosystem.PYPI, gzip("a\t\n")), 10))
                .hasMessageContaining(":1: expected 3 tab-separated columns");
    }

    private static ByteArrayInputStream gzip(final String text) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
