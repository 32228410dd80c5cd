package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Precision and recall of the slopsquat checks on the labelled names of
 * {@code slopsquat/evaluation.yaml}: legit names must pass, typosquats and invented names must
 * be flagged. Prints the figures per group and the misclassified names.
 */
class SlopsquatEvaluationTest {

    private static final double PRECISION_TARGET = 0.95;
    private static final double RECALL_TARGET = 0.9;

    private record Labelled(Ecosystem ecosystem, String group, boolean shouldFlag, String name) {
    }

    @Test
    void precisionAndRecallMeetTheTargetsOnTheLabelledNames() throws IOException {
        final List<Labelled> names = load();
        assertThat(names).hasSizeGreaterThanOrEqualTo(300);
        final PackageChecker checker = ShippedSnapshots.checker();
        int truePositives = 0;
        int falsePositives = 0;
        int falseNegatives = 0;
        final Map<String, int[]> byGroup = new LinkedHashMap<>();
        final List<String> mistakes = new ArrayList<>();
        final Map<Verdict, Integer> verdicts = new LinkedHashMap<>();
        for (final Labelled labelled : names) {
            final Optional<Finding> finding = checker.check(
                    PackageRequest.name(labelled.ecosystem(), "evaluation", labelled.name(), labelled.name()));
            final boolean flagged = finding.isPresent();
            finding.ifPresent(f -> verdicts.merge(f.verdict(), 1, Integer::sum));
            final int[] counts = byGroup.computeIfAbsent(labelled.ecosystem().id() + "/" + labelled.group(), g -> new int[2]);
            counts[0]++;
            if (flagged == labelled.shouldFlag()) {
                counts[1]++;
            } else {
                mistakes.add(labelled.ecosystem().id() + ":" + labelled.name() + " (" + labelled.group() + ") "
                        + finding.map(f -> f.verdict() + f.similar().map(s -> " like " + s.target().name()).orElse(""))
                                .orElse("passed"));
            }
            if (flagged && labelled.shouldFlag()) {
                truePositives++;
            } else if (flagged) {
                falsePositives++;
            } else if (labelled.shouldFlag()) {
                falseNegatives++;
            }
        }
        final double precision = truePositives / (double) (truePositives + falsePositives);
        final double recall = truePositives / (double) (truePositives + falseNegatives);
        System.out.printf(Locale.ROOT, "slopsquat evaluation: %d labelled names, precision %.3f (%d/%d), recall %.3f (%d/%d)%n",
                names.size(), precision, truePositives, truePositives + falsePositives, recall, truePositives,
                truePositives + falseNegatives);
        byGroup.forEach((group, counts) ->
                System.out.printf(Locale.ROOT, "  %-18s %3d/%3d as labelled%n", group, counts[1], counts[0]));
        System.out.println("  verdicts: " + verdicts);
        mistakes.forEach(m -> System.out.println("  misclassified: " + m));
        assertThat(precision).as("precision").isGreaterThanOrEqualTo(PRECISION_TARGET);
        assertThat(recall).as("recall").isGreaterThanOrEqualTo(RECALL_TARGET);
    }

    @SuppressWarnings("unchecked")
    private static List<Labelled> load() throws IOException {
        try (InputStream in = SlopsquatEvaluationTest.class.getResourceAsStream("/slopsquat/evaluation.yaml")) {
            final Map<String, List<Map<String, Object>>> doc =
                    new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            final List<Labelled> names = new ArrayList<>();
            doc.forEach((ecosystemId, groups) -> {
                final Ecosystem ecosystem = Ecosystem.valueOf(ecosystemId.toUpperCase(Locale.ROOT));
                for (final Map<String, Object> group : groups) {
                    final boolean shouldFlag = !"legit".equals(group.get("label"));
                    for (final Object name : (List<Object>) group.get("names")) {
                        names.add(new Labelled(ecosystem, (String) group.get("group"), shouldFlag, name.toString()));
                    }
                }
            });
            return names;
        }
    }
}
