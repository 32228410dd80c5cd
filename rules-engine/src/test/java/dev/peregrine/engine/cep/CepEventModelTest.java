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
}
