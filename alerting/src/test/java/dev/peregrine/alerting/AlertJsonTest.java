package dev.peregrine.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertJsonTest {

    private static final long TIME = 1_795_342_562_000_000_123L;

    static Alert sampleAlert() {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", "ci-runner");
        fields.put("proc.pid", 4242L);
        fields.put("fd.name", null);
        return new Alert(Alert.deterministicId("shell_in_agent_tool", "s-8f2c", TIME), TIME,
                "shell_in_agent_tool", "Shell spawned by agent tool", Priority.WARNING, "syscall",
                "sandbox-host-3", List.of("T1059", "shell"), "Shell \"bash\" under node",
                fields, "ci-runner", "s-8f2c", 1, TIME, TIME);
    }

    @Test
    void writesFalcoCompatibleKeysInSpecOrder() throws IOException {
        final String json = new AlertJson().toJson(sampleAlert());

        assertThat(topLevelKeys(json)).containsExactly("time", "rule", "priority", "source", "hostname",
                "tags", "output", "output_fields", "id", "rule_id", "agent", "session", "count",
                "first_seen", "last_seen");
        assertThat(json).contains("\"priority\":\"Warning\"")
                .contains("\"output\":\"Shell \\\"bash\\\" under node\"")
                .contains("\"output_fields\":{\"agent.id\":\"ci-runner\",\"proc.pid\":4242,\"fd.name\":null}")
                .doesNotContain("\n");
    }

    @Test
    void timesAreUtcWithNanoseconds() {
        assertThat(AlertJson.formatTime(TIME)).isEqualTo("2026-11-22T10:16:02.000000123Z");
        assertThat(AlertJson.formatTime(0)).isEqualTo("1970-01-01T00:00:00.000000000Z");
    }

    @Test
    void deterministicIdDependsOnRuleKeyAndWindowOnly() {
        final String id = Alert.deterministicId("denied_burst", "s-1", 1000);

        assertThat(Alert.deterministicId("denied_burst", "s-1", 1000)).isEqualTo(id);
        assertThat(Alert.deterministicId("denied_burst", "s-2", 1000)).isNotEqualTo(id);
        assertThat(Alert.deterministicId("denied_burst", "s-1", 1001)).isNotEqualTo(id);
        assertThat(Alert.deterministicId("volume_spike", "s-1", 1000)).isNotEqualTo(id);
        // the separator keeps ("ab","c") and ("a","bc") apart
        assertThat(Alert.deterministicId("ab", "c", 1)).isNotEqualTo(Alert.deterministicId("a", "bc", 1));
        assertThat(id).hasSize(32).matches("[0-9a-f]+");
    }

    @Test
    void priorityParsesFalcoSpellings() {
        assertThat(Priority.parse("WARNING")).contains(Priority.WARNING);
        assertThat(Priority.parse("warn")).contains(Priority.WARNING);
        assertThat(Priority.parse("Info")).contains(Priority.INFORMATIONAL);
        assertThat(Priority.parse("critical ")).contains(Priority.CRITICAL);
        assertThat(Priority.parse("severe")).isEmpty();
        assertThat(Priority.CRITICAL.atLeast(Priority.WARNING)).isTrue();
        assertThat(Priority.NOTICE.atLeast(Priority.WARNING)).isFalse();
    }

    private static List<String> topLevelKeys(final String json) throws IOException {
        final List<String> keys = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                keys.add(parser.currentName());
                parser.nextToken();
                parser.skipChildren();
            }
        }
        return keys;
    }
}
