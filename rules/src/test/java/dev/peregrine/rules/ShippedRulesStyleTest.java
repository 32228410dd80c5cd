package dev.peregrine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The shipped rule files follow the falcosecurity/rules style guide and Peregrine's id rules. */
class ShippedRulesStyleTest {

    private static final List<String> KEY_ORDER =
            List.of("rule", "id", "desc", "condition", "output", "priority", "tags", "enabled", "source");
    private static final List<String> CEP_KEY_ORDER =
            List.of("cep", "id", "desc", "epl", "output", "priority", "tags", "enabled");
    private static final Set<String> PRIORITIES = Set.of(
            "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL", "INFO", "DEBUG");
    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern MITRE_TECHNIQUE = Pattern.compile("T\\d{4}(\\.\\d{3})?");

    @Test
    void everyRuleAndCepItemHasKeysInStyleGuideOrderAStableIdAMaturityAndAMitreTechnique() throws IOException {
        final Set<String> ids = new HashSet<>();
        final List<String> problems = new ArrayList<>();
        for (final String file : ShippedRules.files()) {
            for (final Map<String, Object> item : items(file)) {
                final String kind = item.containsKey("rule") ? "rule" : item.containsKey("cep") ? "cep" : null;
                if (kind == null) {
                    continue;
                }
                final String where = file + ": " + kind + " '" + item.get(kind) + "'";
                final List<String> keys = new ArrayList<>(item.keySet());
                final List<String> expected = (kind.equals("rule") ? KEY_ORDER : CEP_KEY_ORDER).stream()
                        .filter(keys::contains).toList();
                if (!keys.equals(expected)) {
                    problems.add(where + ": keys " + keys + ", style-guide order is " + expected);
                }
                final Object id = item.get("id");
                if (!(id instanceof String s) || !SNAKE_CASE.matcher(s).matches()) {
                    problems.add(where + ": id '" + id + "' is not snake_case");
                } else if (!ids.add(s)) {
                    problems.add(where + ": duplicate id '" + s + "'");
                }
                if (!PRIORITIES.contains(String.valueOf(item.get("priority")).toUpperCase())) {
                    problems.add(where + ": priority '" + item.get("priority") + "' is not a Falco level");
                }
                @SuppressWarnings("unchecked")
                final List<Object> tags = (List<Object>) item.getOrDefault("tags", List.of());
                if (tags.stream().map(String::valueOf).noneMatch(t -> t.startsWith("maturity_"))) {
                    problems.add(where + ": no maturity_* tag");
                }
                if (tags.stream().map(String::valueOf).noneMatch(t -> MITRE_TECHNIQUE.matcher(t).matches())) {
                    problems.add(where + ": no MITRE ATT&CK technique tag (T####)");
                }
                if (!String.valueOf(item.get("output")).contains("%agent.id")
                        || !String.valueOf(item.get("output")).contains("%agent.session")) {
                    problems.add(where + ": output lacks %agent.id / %agent.session");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(ids).hasSizeGreaterThanOrEqualTo(15);
    }

    private static List<Map<String, Object>> items(final String file) throws IOException {
        try (InputStream in = ShippedRules.open(file)) {
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            final List<Map<String, Object>> items = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            return items;
        }
    }
}
