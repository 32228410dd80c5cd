package dev.peregrine.engine.cep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EPL reads every registry field under its underscore name, and the input's extra keys through {@code extras}. */
class CepEventModelTest {

    private final FieldRegistry registry = FieldRegistry.standard();

    @Test
    void everyRegistryFieldAndAnAgentExtraReachEplWithTheirJavaTypes() throws Exception {
        // The select names every field, so a field EPL cannot read fails the compile.
        final StringBuilder select = new StringBuilder("select ");
        final StringBuilder output = new StringBuilder();
        for (final Field field : registry.fields()) {
            final String property = CepEventModel.propertyName(field.name());
            select.append(property).append(" as ").append(property).append(", ");
            output.append(" %").append(field.name());
        }
        select.append("extras('status') as status from Event");
        final CepRuleDef def = new CepRuleDef("all_fields", "All fields", "", select.toString(), output + " %status",
                Priority.DEBUG, List.of(), true, "test.yaml", 1, List.of(new CepRuleDef.Location(1, 1)),
                List.of(new CepRuleDef.Location(1, 1)));
        final CepDetector detector = new CepDetector(new CepCompiler(registry).compile(List.of(def)));
        final Event.Builder builder = Event.builder().time(1_795_342_200_123_456_789L);
        for (final Field field : registry.fields()) {
            if (field.type() == FieldType.STRING) {
                builder.set(field, "v-" + field.name());
            } else if (field.type() == FieldType.BOOL) {
                builder.set(field, true);
            } else if (field != StandardFields.EVT_TIME) {
                builder.set(field, (long) field.slot());
            }
        }
        final Event event = builder.extra("status", 409L).build();
        final List<Alert> alerts = new ArrayList<>();

        try {
            detector.onEvent(event, alerts::add);
        } finally {
            detector.close();
        }

        assertThat(alerts).singleElement().satisfies(alert -> {
            final Map<String, Object> values = alert.outputFields();
            for (final Field field : registry.fields()) {
                assertThat(values.get(field.name())).as(field.name()).isEqualTo(event.get(field));
            }
            assertThat(values).containsEntry("status", 409L).containsEntry("llm.tokens.in",
                    (long) StandardFields.LLM_TOKENS_IN.slot());
            assertThat(alert.output()).startsWith("2026-11-22T10:10:00.123456789Z v-evt.source ").contains(" v-fd.sip.name ");
            assertThat(alert.timeNanos()).isEqualTo(event.timeNanos());
        });
    }

    private static CepRuleDef item(final String id, final String epl, final String output) {
        return new CepRuleDef(id, id, "", epl, output, Priority.DEBUG, List.of(), true, "test.yaml", 1,
                List.of(new CepRuleDef.Location(1, 1)), List.of(new CepRuleDef.Location(1, 1)));
    }

    @Test
    void aProgramsRowsCarryTheFieldsItsEplAndOutputNameAndTheColumnsEveryAlertReads() {
        final CepEventModel model = new CepEventModel(registry).forRules(List.of(item("shells",
                "insert into Shells select * from Event(proc_name = 'sh');\n"
                        + "select s.agent_id as agent_id, s.proc_pid as pid from Shells as s",
                "shell %pid in %fd.name")));

        assertThat(model.copies(StandardFields.PROC_NAME)).isTrue();
        assertThat(model.copies(StandardFields.PROC_PID)).isTrue();
        assertThat(model.copies(StandardFields.FD_NAME)).as("named by the output template").isTrue();
        assertThat(model.copies(StandardFields.AGENT_SESSION)).as("read by every alert").isTrue();
        assertThat(model.copies(StandardFields.EVT_SOURCE)).isTrue();
        assertThat(model.copies(StandardFields.PROC_CMDLINE)).isFalse();
        assertThat(model.copies(StandardFields.LLM_TOKENS_IN)).isFalse();
        final Object[] row = model.eventRow(Event.builder().time(1).set(StandardFields.PROC_NAME, "sh")
                .set(StandardFields.PROC_CMDLINE, "sh -c id").extra("status", 1L).build());
        assertThat(row).contains("sh").doesNotContain("sh -c id");
        assertThat(row[row.length - 1]).as("extras, named by no item").isNull();
    }

    @Test
    void rowsComparedWholeOrSharedWithOtherItemsCarryEveryField() {
        // distinct compares whole rows; a public window's rows outlive a reload that may add a reader
        for (final String epl : List.of("select distinct * from Event(proc_name = 'sh')",
                "@public create window Shells#time(5 min) as Event;\ninsert into Shells select * from Event")) {
            final CepEventModel model = new CepEventModel(registry).forRules(List.of(item("whole", epl, "%proc.name")));
            for (final Field field : registry.fields()) {
                assertThat(model.copies(field)).as(epl + ": " + field.name()).isTrue();
            }
        }
    }

    @Test
    void aSelectStarItemStillRendersWhatItsOutputTemplateNames() throws Exception {
        // The compiler narrows the rows; the alert must still see fd.name, named only by the template.
        final CepDetector detector = new CepDetector(new CepCompiler(registry).compile(List.of(item("star",
                "select * from Event(proc_name = 'cat')", "%proc.name read %fd.name"))));
        final List<Alert> alerts = new ArrayList<>();
        try {
            detector.onEvent(Event.builder().time(1_795_342_200_000_000_000L).set(StandardFields.PROC_NAME, "cat")
                    .set(StandardFields.FD_NAME, "/etc/shadow").set(StandardFields.AGENT_SESSION, "s-1")
                    .build(), alerts::add);
        } finally {
            detector.close();
        }

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.output()).isEqualTo("cat read /etc/shadow");
            assertThat(alert.session()).isEqualTo("s-1");
        });
    }
}
