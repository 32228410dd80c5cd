package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.SourceFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The analysis behind {@code rules validate}: counts by source, fields no source fills, Falco's warnings. */
class RuleSetLintTest {

    private static final Path EXAMPLE = Path.of("src", "test", "resources", "dev", "peregrine", "engine", "rules",
            "lint_example.yaml");
    private static final Path FALCO_RULES = Path.of("src", "test", "resources", "falco", "upstream",
            "falco_rules.yaml");

    private static RuleSetLint.Report lint(final Path path, final List<String> sources)
            throws IOException, RuleLoadException {
        final List<RuleFile> files = List.of(new RuleFile(path.toString(), Files.readString(path, StandardCharsets.UTF_8)));
        return RuleSetLint.lint(new RuleLoader(FieldRegistry.standard()).loadFiles(files), files, sources);
    }

    @Test
    void countsRulesLoadedEnabledAndInactiveBySource() throws Exception {
        final RuleSetLint.Report report = lint(EXAMPLE, List.of(SourceFields.AUDITD));

        assertThat(report.bySource()).containsExactly(
                new RuleSetLint.SourceCount("agent", 1, 1, 0),
                new RuleSetLint.SourceCount("k8s_audit", 1, 1, 1),
                new RuleSetLint.SourceCount("syscall", 3, 2, 0));
    }

    @Test
    void givesFalcosUnusedMacroAndListWarningsCountingListsInListsAndExceptionValuesAsUses() throws Exception {
        final RuleSetLint.Report report = lint(EXAMPLE, List.of(SourceFields.AUDITD));

        assertThat(report.findings()).filteredOn(f -> f.code().startsWith("LOAD_UNUSED"))
                .extracting(RuleSetLint.Finding::code, RuleSetLint.Finding::item, RuleSetLint.Finding::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("LOAD_UNUSED_LIST", "forgotten_list", 8),
                        org.assertj.core.groups.Tuple.tuple("LOAD_UNUSED_MACRO", "forgotten_macro", 12));
    }

    @Test
    void warnsWhenAMacroIsRedefinedWithoutAppendButNotForAnAppendedList() throws Exception {
        final RuleSetLint.Report report = lint(EXAMPLE, List.of(SourceFields.AUDITD));

        assertThat(report.findings()).filteredOn(f -> f.code().startsWith("SHADOWED")).singleElement()
                .satisfies(finding -> {
                    assertThat(finding.item()).isEqualTo("in_container");
                    assertThat(finding.toString()).isEqualTo(EXAMPLE + ":16:3: warning: macro 'in_container' replaces"
                            + " the definition at " + EXAMPLE + ":14 everywhere; add 'append: true' or 'override:'"
                            + " to extend it (SHADOWED_MACRO)");
                });
    }

    @Test
    void warnsAboutARuleWithoutEventTypeAndAComparisonWithNa() throws Exception {
        final RuleSetLint.Report report = lint(EXAMPLE, List.of(SourceFields.AUDITD));

        assertThat(report.findings()).filteredOn(f -> f.code().equals("LOAD_NO_EVTTYPE") || f.code().equals("LOAD_UNSAFE_NA_CHECK"))
                .extracting(RuleSetLint.Finding::code, RuleSetLint.Finding::item).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("LOAD_NO_EVTTYPE", "Anything by nobody"),
                        org.assertj.core.groups.Tuple.tuple("LOAD_UNSAFE_NA_CHECK", "Anything by nobody"));
    }

    @Test
    void listsFieldsTheConfiguredSourcesDoNotFillThroughMacros() throws Exception {
        final RuleSetLint.Report auditd = lint(EXAMPLE, List.of(SourceFields.AUDITD));
        final RuleSetLint.Report tetragon = lint(EXAMPLE, List.of(SourceFields.TETRAGON, SourceFields.AGENT));
        final RuleSetLint.Report everything = lint(EXAMPLE, List.of(SourceFields.NATIVE));

        assertThat(auditd.missingFields()).containsExactly(
                new RuleSetLint.MissingField("container.id", List.of("Shell in container")));
        assertThat(auditd.unfed()).containsExactly("Tool denied");
        assertThat(tetragon.missingFields()).as("Tetragon reports uids, not user names").containsExactly(
                new RuleSetLint.MissingField("user.name", List.of("Anything by nobody")));
        assertThat(tetragon.unfed()).isEmpty();
        assertThat(everything.missingFields()).isEmpty();
        assertThat(everything.unfed()).isEmpty();
    }

    @Test
    void anUnknownSourceIsRefused() {
        assertThatThrownBy(() -> lint(EXAMPLE, List.of("kafka"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown source 'kafka'");
    }

    @Test
    void falcoStableRulesGiveNoWarningsAndNeedOnlyCapabilitiesAndK8sMetadataBeyondWhatSourcesFill() throws Exception {
        final RuleSetLint.Report report = lint(FALCO_RULES, List.of(SourceFields.AUDITD, SourceFields.TETRAGON,
                SourceFields.FALCO, SourceFields.PROCFS));

        assertThat(report.bySource()).containsExactly(new RuleSetLint.SourceCount("syscall", 25, 25, 0));
        assertThat(report.missingFields()).extracting(RuleSetLint.MissingField::field)
                .containsExactly("k8s.ns.name", "thread.cap_effective");
        // falcosecurity/rules CI validates the stable file with Falco: it has no unused item.
        assertThat(report.findings()).isEmpty();
    }
}
