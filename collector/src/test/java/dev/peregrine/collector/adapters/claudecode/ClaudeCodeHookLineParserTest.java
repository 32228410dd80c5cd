package dev.peregrine.collector.adapters.claudecode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.adapters.IngestFixture;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.LineRejectedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A recorded Claude Code session replayed line by line, in the times its hooks fired. */
class ClaudeCodeHookLineParserTest {

    private final ClaudeCodeHookLineParser parser = new ClaudeCodeHookLineParser();

    @Test
    void aRecordedSessionReplaysInEventTimeWithTheInstallAsACommandLine() throws Exception {
        final List<Event> events = new ArrayList<>();
        for (final String line : new String(IngestFixture.example("claude-code/session.ndjson"), StandardCharsets.UTF_8)
                .split("\n")) {
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            parser.parse(bytes, 0, bytes.length, events::add);
        }

        assertThat(events).hasSize(8);
        assertThat(events).extracting(Event::timeNanos).isSorted();
        assertThat(events).allSatisfy(e -> assertThat(e.getString(StandardFields.AGENT_ID)).isEqualTo("claude-code"));
        final Event install = events.get(4);
        assertThat(install.getString(StandardFields.EVT_TYPE)).isEqualTo("tool_call");
        assertThat(install.getString(StandardFields.PROC_CMDLINE)).isEqualTo("pip install flask-gpt-helper");
    }

    @Test
    void aPayloadWithoutTheTimeItFiredIsRejected() {
        final byte[] line = "{\"session_id\":\"s\",\"hook_event_name\":\"SessionStart\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> parser.parse(line, 0, line.length, event -> { }))
                .isInstanceOfSatisfying(LineRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_FIELD));
    }
}
