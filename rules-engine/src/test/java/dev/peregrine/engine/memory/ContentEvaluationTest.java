package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the content analysis on the labelled evaluation set
 * {@code traces/memory/evaluation/contents.ndjson}: benign notes, code, summaries, READMEs and
 * Unicode text against injected instructions, exfiltration URLs, secrets, hidden-Unicode and
 * encoded payloads. An entry counts as flagged when a finding taints it (the findings that raise
 * the write alert's Critical/Error/Warning verdict and make later reads alert), judged as if
 * written into a shared namespace, where habit imperatives count too.
 */
class ContentEvaluationTest {

    /** One labelled memory content. */
    private record Sample(String id, boolean poisoned, String category, String content) {
    }

    private static List<Sample> samples() throws IOException {
        final List<Sample> samples = new ArrayList<>();
        try (InputStream in = ContentEvaluationTest.class.getResourceAsStream("/traces/memory/evaluation/contents.ndjson")) {
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                final Map<String, String> values = new LinkedHashMap<>();
                try (JsonParser parser = new JsonFactory().createParser(line)) {
                    parser.nextToken();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        final String name = parser.currentName();
                        parser.nextToken();
                        values.put(name, parser.getText());
                    }
                }
                samples.add(new Sample(values.get("id"), "poisoned".equals(values.get("label")), values.get("category"),
                        values.get("content")));
            }
        }
        return samples;
    }

    @Test
    void precisionIsAtLeast95AndRecallAtLeast90Percent() throws IOException {
        final ContentAnalyzer analyzer = new ContentAnalyzer();
        final List<Sample> samples = samples();
        int truePositives = 0;
        int falsePositives = 0;
        int falseNegatives = 0;
        final List<String> mistakes = new ArrayList<>();
        for (final Sample sample : samples) {
            final List<Finding> findings = analyzer.analyze(sample.content(), MemoryAnomalySettings.DEFAULTS, true);
            final boolean flagged = findings.stream().anyMatch(Finding::taints);
            if (flagged && sample.poisoned()) {
                truePositives++;
            } else if (flagged) {
                falsePositives++;
                mistakes.add("false positive " + sample.id() + " " + findings.stream().map(Finding::describe).toList());
            } else if (sample.poisoned()) {
                falseNegatives++;
                mistakes.add("missed " + sample.id() + " (" + sample.category() + ")");
            }
        }
        final double precision = truePositives / (double) (truePositives + falsePositives);
        final double recall = truePositives / (double) (truePositives + falseNegatives);
        System.out.printf(Locale.ROOT, "memory content evaluation: %d samples (%d poisoned), precision %.3f,"
                + " recall %.3f%n", samples.size(), samples.stream().filter(Sample::poisoned).count(), precision, recall);
        mistakes.forEach(m -> System.out.println("  " + m));

        assertThat(samples).hasSizeGreaterThanOrEqualTo(200);
        assertThat(precision).as("precision; %s", mistakes).isGreaterThanOrEqualTo(0.95);
        assertThat(recall).as("recall; %s", mistakes).isGreaterThanOrEqualTo(0.9);
    }
}
