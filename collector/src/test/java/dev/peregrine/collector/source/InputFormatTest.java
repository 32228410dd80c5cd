package dev.peregrine.collector.source;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFormatTest {

    private static final String AUDIT = "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=59 success=yes exit=0 pid=1 comm=\"sh\"";
    private static final String FALCO = "{\"time\":\"2026-11-22T10:15:30Z\",\"rule\":\"r\",\"output_fields\":{\"proc.name\":\"sh\"}}";
    private static final String TETRAGON = "{\"process_exec\":{\"process\":{\"binary\":\"/bin/sh\"}},\"time\":\"2026-11-22T10:15:30Z\"}";
    private static final String NATIVE = "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"evt.type\":\"execve\"}";
    private static final String AGENT = "{\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"a\",\"session\":\"s\",\"type\":\"tool_call\"}";
    private static final String HOOK = "{\"peregrine_time\":\"2026-11-22T10:15:30Z\",\"session_id\":\"s\","
            + "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"pip install x\"}}";

    @TempDir
    Path dir;

    private static InputFormat detect(final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return InputFormat.detect(bytes, 0, bytes.length);
    }

    @Test
    void firstNonBlankLineDecidesTheFormat() {
        assertThat(detect(AUDIT + "\n" + NATIVE)).isEqualTo(InputFormat.AUDITD);
        assertThat(detect("\n  \r\nnode=h1 " + AUDIT)).isEqualTo(InputFormat.AUDITD);
        assertThat(detect(FALCO)).isEqualTo(InputFormat.FALCO);
        assertThat(detect("\uFEFF" + TETRAGON)).isEqualTo(InputFormat.TETRAGON);
        assertThat(detect("{\"node_name\":\"n\",\"process_kprobe\":{}}")).isEqualTo(InputFormat.TETRAGON);
        assertThat(detect(NATIVE + "\n" + FALCO)).as("NDJSON, decided per line").isEqualTo(InputFormat.AUTO);
        assertThat(detect(AGENT)).isEqualTo(InputFormat.AUTO);
        assertThat(detect(HOOK)).as("a Claude Code hook payload").isEqualTo(InputFormat.CLAUDE_CODE);
        assertThat(detect("{\"output_fields\": {\"proc.name\": \"cut short")).as("keys before the break count")
                .isEqualTo(InputFormat.FALCO);
        assertThat(detect("not json")).isEqualTo(InputFormat.AUTO);
        assertThat(detect("")).isEqualTo(InputFormat.AUTO);
    }

    @Test
    void formatsAreNamedCaseInsensitively() {
        assertThat(InputFormat.of("Auditd")).isEqualTo(InputFormat.AUDITD);
        assertThat(InputFormat.TETRAGON.label()).isEqualTo("tetragon");
        assertThat(InputFormat.CLAUDE_CODE.label()).isEqualTo("claude-code");
        assertThat(InputFormat.of("Claude-Code")).isEqualTo(InputFormat.CLAUDE_CODE);
        assertThatThrownBy(() -> InputFormat.of("syslog")).hasMessageContaining("auto, native, agent, auditd, falco, tetragon");
    }

    @Test
    void autoReadsEachFileInItsOwnFormat() throws IOException {
        assertThat(sourcesOf(InputFormat.AUTO, AUDIT + "\ntype=EOE msg=audit(1700000000.000:1):\n")).containsExactly("auditd");
        assertThat(sourcesOf(InputFormat.AUTO, FALCO + "\n" + FALCO + "\n")).containsExactly("falco", "falco");
        assertThat(sourcesOf(InputFormat.AUTO, "\n" + TETRAGON)).containsExactly("tetragon");
        assertThat(sourcesOf(InputFormat.AUTO, HOOK + "\n")).containsExactly("agent");
        assertThat(sourcesOf(InputFormat.CLAUDE_CODE, HOOK + "\n" + HOOK)).containsExactly("agent", "agent");
        assertThat(sourcesOf(InputFormat.AUTO, NATIVE + "\n" + AGENT + "\n")).containsExactly("syscall", "agent");
    }

    @Test
    void anExplicitFormatIsNotSecondGuessed() throws IOException {
        final Recorder recorder = read(InputFormat.NATIVE.stream("x", stream(AGENT), LineReader.DEFAULT_MAX_LINE_BYTES));
        assertThat(recorder.events).isEmpty();
        assertThat(recorder.rejections).extracting(Rejection::reason).as("an agent line read as native has no evt.time").containsExactly(Rejection.Reason.MISSING_FIELD);

        assertThat(sourcesOf(InputFormat.FALCO, FALCO)).containsExactly("falco");
    }

    @Test
    void fileSourcesAreNamedByPathAndDetectFromTheFile() throws IOException {
        final Path file = dir.resolve("audit.log");
        Files.writeString(file, AUDIT + "\n");
        final EventSource source = InputFormat.AUTO.file(file, LineReader.DEFAULT_MAX_LINE_BYTES);
        assertThat(source.name()).isEqualTo(file.toString());
        assertThat(read(source).events).extracting(e -> e.getString(EVT_SOURCE)).containsExactly("auditd");
    }

    @Test
    void closingBeforeReadingReadsNothing() throws IOException {
        final EventSource source = InputFormat.AUTO.stream("x", stream(FALCO), 1024);
        source.close();
        assertThat(read(source).events).isEmpty();
    }

    private static ByteArrayInputStream stream(final String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> sourcesOf(final InputFormat format, final String text) throws IOException {
        final Recorder recorder = read(format.stream("test", stream(text), LineReader.DEFAULT_MAX_LINE_BYTES));
        assertThat(recorder.rejections).isEmpty();
        final List<String> sources = new ArrayList<>();
        recorder.events.forEach(e -> sources.add(e.getString(EVT_SOURCE)));
        return sources;
    }

    private static Recorder read(final EventSource source) throws IOException {
        final Recorder recorder = new Recorder();
        source.read(recorder);
        return recorder;
    }

    /** Collects what a source hands over. */
    private static final class Recorder implements SourceListener {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            rejections.add(rejection);
        }
    }
}
