package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TyposquatIndexTest {

    private static final List<PopularPackage> TARGETS = List.of(
            new PopularPackage("requests", 1, -1),
            new PopularPackage("python-dateutil", 2, -1),
            new PopularPackage("jellyfish", 3, -1),
            new PopularPackage("cross-env", 4, -1),
            new PopularPackage("google-cloud-storage", 5, -1),
            new PopularPackage("google-cloud-bigquery", 6, -1),
            new PopularPackage("google-cloud-pubsub", 7, -1),
            new PopularPackage("lodash", 8, -1),
            new PopularPackage("six", 9, -1),
            new PopularPackage("mongoose", 10, -1),
            new PopularPackage("scikit-learn", 11, -1),
            new PopularPackage("vue", 12, -1));

    private final TyposquatIndex index = new TyposquatIndex(TARGETS);

    private String closest(final String name) {
        return index.closest(name).map(s -> s.target().name() + "/" + s.technique()).orElse("none");
    }

    @Test
    void findsEachKindOfImitation() {
        assertThat(closest("reqeusts")).isEqualTo("requests/edit distance");
        assertThat(closest("requets")).isEqualTo("requests/edit distance");
        assertThat(closest("google-cloud-storgae")).isEqualTo("google-cloud-storage/edit distance");
        assertThat(closest("crossenv")).isEqualTo("cross-env/separator");
        assertThat(closest("cross_env")).isEqualTo("cross-env/separator");
        assertThat(closest("python3-dateutil")).isEqualTo("python-dateutil/affix");
        assertThat(closest("dateutil")).isEqualTo("python-dateutil/affix");
        assertThat(closest("dateutil-python")).isEqualTo("python-dateutil/word order");
        assertThat(closest("jeilyfish")).isEqualTo("jellyfish/homoglyph");
        assertThat(closest("l0dash")).isEqualTo("lodash/homoglyph");
        assertThat(closest("mongооse")).isEqualTo("mongoose/homoglyph"); // Cyrillic о
        assertThat(closest("learn-scikit")).isEqualTo("scikit-learn/word order");
        assertThat(closest("vuejs")).isEqualTo("vue/affix");
    }

    @Test
    void shortNamesAndUnrelatedNamesAreNotTypos() {
        assertThat(closest("sx")).isEqualTo("none");
        assertThat(closest("siz")).isEqualTo("none"); // three letters: too short to call a typo
        assertThat(closest("tensorboard")).isEqualTo("none");
        assertThat(closest("google-cloud-spanner")).isEqualTo("none");
        assertThat(closest("requests")).isEqualTo("none"); // a target never imitates itself
    }

    @Test
    void editDistanceIsScaledByLength() {
        assertThat(closest("lodahs")).isEqualTo("lodash/edit distance"); // 6 letters: one edit
        assertThat(closest("ldahs")).isEqualTo("none");                  // two edits are too many for 6
        assertThat(closest("scikt-lern")).isEqualTo("scikit-learn/edit distance"); // 12 letters: two
    }

    @Test
    void theIndexFindsWhatABruteForceScanFinds() {
        final List<PopularPackage> targets = new ArrayList<>();
        final Random random = new Random(7);
        for (int i = 0; i < 400; i++) {
            targets.add(new PopularPackage(randomName(random, 5 + random.nextInt(20)), i + 1, -1));
        }
        final TyposquatIndex big = new TyposquatIndex(targets);
        for (int i = 0; i < 3000; i++) {
            final String base = targets.get(random.nextInt(targets.size())).name();
            final String query = mutate(random, base, 1 + random.nextInt(3));
            final Optional<SimilarName> found = big.closest(query);
            final int bruteForce = bruteForceBestDistance(targets, query);
            if (found.isPresent() && found.get().technique().equals("edit distance")) {
                assertThat(found.get().distance()).as(query).isEqualTo(bruteForce);
            } else if (found.isEmpty()) {
                assertThat(bruteForce).as("missed a match for " + query).isEqualTo(Integer.MAX_VALUE);
            }
        }
    }

    private static int bruteForceBestDistance(final List<PopularPackage> targets, final String query) {
        int best = Integer.MAX_VALUE;
        for (final PopularPackage target : targets) {
            final int limit = NameSimilarity.maxDistance(target.name().length());
            final int distance = NameSimilarity.distance(query, target.name(), limit);
            if (!target.name().equals(query) && distance <= limit) {
                best = Math.min(best, distance);
            }
        }
        return best;
    }

    private static String randomName(final Random random, final int length) {
        final StringBuilder name = new StringBuilder();
        for (int i = 0; i < length; i++) {
            name.append(i > 0 && i < length - 1 && random.nextInt(6) == 0 ? '-' : (char) ('a' + random.nextInt(8)));
        }
        return name.toString();
    }

    private static String mutate(final Random random, final String name, final int edits) {
        final StringBuilder out = new StringBuilder(name);
        for (int e = 0; e < edits && out.length() > 1; e++) {
            final int at = random.nextInt(out.length());
            switch (random.nextInt(4)) {
                case 0 -> out.deleteCharAt(at);
                case 1 -> out.insert(at, (char) ('a' + random.nextInt(8)));
                case 2 -> out.setCharAt(at, (char) ('a' + random.nextInt(8)));
                default -> {
                    if (at + 1 < out.length()) {
                        final char c = out.charAt(at);
                        out.setCharAt(at, out.charAt(at + 1));
                        out.setCharAt(at + 1, c);
                    }
                }
            }
        }
        return out.toString();
    }
}
