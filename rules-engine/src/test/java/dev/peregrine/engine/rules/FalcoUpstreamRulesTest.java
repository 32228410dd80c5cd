package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peregrine.collector.event.FieldRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Falco's upstream stable rules file, loaded unmodified. What is left are fields Peregrine's
 * registry does not have yet (process tree, fd/evt details) and indexed fields such as
 * {@code proc.aname[2]}; any other error is a gap in the rule language and fails this test.
 */
class FalcoUpstreamRulesTest {

    private static final Path FALCO_RULES = Path.of("/work/shared/data/falco-rules/falco_rules.yaml");

    private static final Pattern UNKNOWN_FIELD = Pattern.compile(
            "unknown field '([a-z0-9_.]+)'( \\(did you mean '[^']+'\\?\\))?( in output| in exception '[^']+')?");
    private static final Pattern INDEXED_FIELD = Pattern.compile(
            "indexed fields such as '([a-z0-9_.]+)\\[[^\\]]*\\]' are not supported yet( in output| in exception '[^']+')?");

    @Test
    void onlyMissingRegistryFieldsAndIndexedFieldsRemain() {
        assumeTrue(Files.isReadable(FALCO_RULES), "Falco's rules file is test input outside the repository");
        final RuleLoadException e = catchThrowableOfType(RuleLoadException.class,
                () -> new RuleLoader(FieldRegistry.standard()).load(List.of(FALCO_RULES)));
        final List<RuleLoadError> errors = e.errors();
        assertThat(errors).isNotEmpty().allSatisfy(error -> {
            assertThat(error.file()).isEqualTo(FALCO_RULES.toString());
            assertThat(error.line()).isPositive();
            assertThat(error.column()).isPositive();
            assertThat(error.item()).isNotBlank();
            assertThat(UNKNOWN_FIELD.matcher(error.message()).matches()
                    || INDEXED_FIELD.matcher(error.message()).matches())
                    .as("%s is neither an unknown nor an indexed field", error).isTrue();
        });
        // open_write's condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true ...
        assertThat(errors).anySatisfy(error -> assertThat(error.toString())
                .endsWith("falco_rules.yaml:43:53: unknown field 'evt.is_open_write'"));

        final Map<String, Long> byKind = errors.stream().collect(Collectors.groupingBy(
                FalcoUpstreamRulesTest::kind, TreeMap::new, Collectors.counting()));
        final Map<String, Long> byField = errors.stream().collect(Collectors.groupingBy(
                FalcoUpstreamRulesTest::field, TreeMap::new, Collectors.counting()));
        System.out.println("falco_rules.yaml: " + errors.size() + " errors by kind " + byKind);
        System.out.println("falco_rules.yaml: errors by field " + byField);
    }

    private static String kind(final RuleLoadError error) {
        final String where = error.message().endsWith(" in output") ? " (output)" : " (condition)";
        return (UNKNOWN_FIELD.matcher(error.message()).matches() ? "unknown field" : "indexed field") + where;
    }

    private static String field(final RuleLoadError error) {
        final Matcher unknown = UNKNOWN_FIELD.matcher(error.message());
        if (unknown.matches()) {
            return unknown.group(1);
        }
        final Matcher indexed = INDEXED_FIELD.matcher(error.message());
        return indexed.matches() ? indexed.group(1) + "[]" : error.message();
    }
}
