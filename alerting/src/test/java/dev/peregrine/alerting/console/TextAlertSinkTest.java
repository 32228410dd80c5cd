package dev.peregrine.alerting.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextAlertSinkTest {

    private static final long TIME = 1_795_791_600_123_456_789L;

    private static Alert alert(final Priority priority, final String output, final String agent, final long count) {
        return new Alert("id1", TIME, "shell_in_agent", "Shell in agent", priority, "agent", "h", List.of(), output,
                Map.of(), agent, agent.isEmpty() ? "" : "sess-9", count, TIME, TIME);
    }

    @Test
    void eachAlertIsOneLineWithTimePriorityRuleAgentSessionAndOutput() throws IOException {
        final StringWriter out = new StringWriter();
        final AlertSink sink = ConsoleFormat.TEXT.sink(out, false);

        sink.deliver(alert(Priority.WARNING, "shell spawned (cmd=bash -i)", "agent-7", 1));
        // flushed at once: a person is watching
        assertThat(out).hasToString(
                "2026-11-27T15:00:00.123456789Z Warning shell_in_agent agent=agent-7 session=sess-9 "
                        + "shell spawned (cmd=bash -i)\n");
    }

    @Test
    void aDeduplicatedSummaryShowsItsCountAndMissingAgentShowsAsDash() {
        final TextAlertSink sink = new TextAlertSink(new StringWriter(), false);

        assertThat(sink.format(alert(Priority.ERROR, "burst", "", 1000)))
                .isEqualTo("2026-11-27T15:00:00.123456789Z Error shell_in_agent agent=- session=- count=1000 burst");
    }

    @Test
    void colourWrapsThePriorityOnlyWhenAskedFor() {
        final String coloured = new TextAlertSink(new StringWriter(), true)
                .format(alert(Priority.CRITICAL, "x", "a", 1));
        final String plain = new TextAlertSink(new StringWriter(), false).format(alert(Priority.CRITICAL, "x", "a", 1));

        assertThat(coloured).contains("\u001b[1;31mCritical\u001b[0m");
        assertThat(plain).doesNotContain("\u001b");
        assertThat(TextAlertSink.colourOf(Priority.WARNING)).isNotEqualTo(TextAlertSink.colourOf(Priority.ERROR));
    }

    @Test
    void controlCharactersAnAgentPutInACommandLineCannotForgeLinesOrDriveTheTerminal() {
        final String hostile = "cat x\n2026-01-01T00:00:00Z Notice fake_rule all clear\u001b[2J\u009b1A";

        final String line = new TextAlertSink(new StringWriter(), true).format(alert(Priority.NOTICE, hostile, "a", 1));

        assertThat(line).doesNotContain("\n").doesNotContain("\u009b")
                .contains("cat x\\n2026-01-01T00:00:00Z Notice fake_rule all clear\\x1b[2J\\x9b1A");
        // the only escape sequences left are the two of the priority's colour
        assertThat(line.chars().filter(c -> c == 0x1b).count()).isEqualTo(2);
    }

    @Test
    void jsonFormatIsTheFalcoCompatibleLineAndNeverColoured() throws IOException {
        final StringWriter out = new StringWriter();
        final Alert alert = alert(Priority.WARNING, "o", "a", 1);

        ConsoleFormat.JSON.sink(out, true).deliver(alert);

        assertThat(out).hasToString(new AlertJson().toJson(alert) + "\n");
    }

    @Test
    void formatNamesParseCaseInsensitively() {
        assertThat(ConsoleFormat.parse(" Text ")).contains(ConsoleFormat.TEXT);
        assertThat(ConsoleFormat.parse("json")).contains(ConsoleFormat.JSON);
        assertThat(ConsoleFormat.parse("yaml")).isEmpty();
        assertThat(ConsoleFormat.TEXT.displayName()).isEqualTo("text");
    }
}
