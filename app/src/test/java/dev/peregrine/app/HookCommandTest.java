package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code peregrine hook} against a real ingest server on 127.0.0.1, up and down: it always exits
 * 0 with nothing on stdout, and a payload Peregrine could not take arrives, in order, with the
 * next one that gets through.
 */
class HookCommandTest {

    private static final String TOKEN = HookIngest.TOKEN;
    private static final String PAYLOAD = """
            {
              "session_id": "sess-1",
              "transcript_path": "/home/dev/.claude/projects/p/sess-1.jsonl",
              "cwd": "/workspace/api",
              "permission_mode": "default",
              "hook_event_name": "PreToolUse",
              "tool_name": "Bash",
              "tool_input": {"command": "pip install flask-gpt-helper"},
              "tool_use_id": "toolu_%s"
            }
            """;

    @TempDir
    Path dir;

    private HookIngest peregrine;
    private BlockingQueue<Event> events;
    private BlockingQueue<Rejection> rejections;
    private Path spool;

    @BeforeEach
    void reservePort() throws IOException {
        peregrine = new HookIngest();
        events = peregrine.events;
        rejections = peregrine.rejections;
        spool = dir.resolve("spool/hook-spool.ndjson");
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        peregrine.close();
    }

    @Test
    void aPayloadReachesARunningPeregrineStampedWithTheTimeTheHookFired() throws Exception {
        startServer();
        final Instant fired = Instant.parse("2026-11-27T09:00:21.775Z");

        final Result result = hook(PAYLOAD.formatted("a"), fired, TOKEN);

        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        final Event event = events.poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-27T09:00:21.775Z"));
        assertThat(event.getString(StandardFields.PROC_CMDLINE)).isEqualTo("pip install flask-gpt-helper");
        assertThat(event.getString(StandardFields.AGENT_SESSION)).isEqualTo("sess-1");
        assertThat(spool).doesNotExist();
    }

    @Test
    void whilePeregrineIsDownPayloadsAreSpooledAndTheNextHookThatGetsThroughSendsThemFirst() throws Exception {
        final Result first = hook(PAYLOAD.formatted("1"), Instant.parse("2026-11-27T09:00:01Z"), TOKEN);
        final Result second = hook(PAYLOAD.formatted("2"), Instant.parse("2026-11-27T09:00:02Z"), TOKEN);

        assertThat(first.exit()).isZero();
        assertThat(second.exit()).isZero();
        assertThat(first.out()).isEmpty();
        assertThat(first.err()).contains("cannot reach", "spooled");
        assertThat(Files.readAllLines(spool)).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("{\"peregrine_time\""));

        startServer();
        final Result third = hook(PAYLOAD.formatted("3"), Instant.parse("2026-11-27T09:00:03Z"), TOKEN);

        assertThat(third.exit()).isZero();
        final List<Event> arrived = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("event " + (i + 1)).isNotNull();
            arrived.add(event);
        }
        assertThat(arrived).extracting(e -> e.extra("tool_use_id")).containsExactly("toolu_1", "toolu_2", "toolu_3");
        assertThat(arrived).extracting(Event::timeNanos).containsExactly(
                Timestamps.parseRfc3339("2026-11-27T09:00:01Z"), Timestamps.parseRfc3339("2026-11-27T09:00:02Z"),
                Timestamps.parseRfc3339("2026-11-27T09:00:03Z"));
        assertThat(spool).doesNotExist();
    }

    @Test
    void aPayloadSentWithATokenPeregrineDoesNotKnowIsSpooledNotLost() throws Exception {
        startServer();

        final Result result = hook(PAYLOAD.formatted("x"), Instant.parse("2026-11-27T09:00:00Z"),
                "not-the-configured-token-at-all");

        assertThat(result.exit()).isZero();
        assertThat(result.err()).contains("401");
        assertThat(Files.readAllLines(spool)).singleElement().asString().contains("toolu_x");
        assertThat(events).isEmpty();
    }

    @Test
    void aPayloadPeregrineRefusesIsKeptThereAndNotSpooledAgain() throws Exception {
        startServer();

        final Result result = hook("this is not json\n{", Instant.parse("2026-11-27T09:00:00Z"), TOKEN);

        assertThat(result.exit()).isZero();
        assertThat(result.err()).contains("400", "dead-letter");
        final Rejection rejection = rejections.poll(10, TimeUnit.SECONDS);
        assertThat(rejection).isNotNull();
        assertThat(rejection.raw()).isEqualTo("this is not json {");
        assertThat(spool).doesNotExist();
    }

    @Test
    void anEmptyStdinSendsNothingAndStillExitsZero() throws Exception {
        final Result result = hook("  \n", Instant.parse("2026-11-27T09:00:00Z"), TOKEN);

        assertThat(result.exit()).isZero();
        assertThat(result.err()).contains("no payload");
        assertThat(spool).doesNotExist();
    }

    @Test
    void printScriptPrintsTheShHookShippedAsBinPeregrineHook() throws IOException {
        final HookCommand command = new HookCommand();
        final CommandLine commandLine = new CommandLine(command);
        final StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));

        final int exit = commandLine.execute("--print-script");

        assertThat(exit).isZero();
        assertThat(out.toString()).startsWith("#!/bin/sh\n")
                .isEqualTo(Files.readString(Path.of("..", "bin", HookCommand.SCRIPT)));
    }

    @Test
    void installWritesTheShHookAsAnExecutableFile() throws IOException {
        final CommandLine commandLine = new CommandLine(new HookCommand());
        final StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));

        final int exit = commandLine.execute("--install", dir.resolve("bin").toString());

        final Path installed = dir.resolve("bin").resolve(HookCommand.SCRIPT);
        assertThat(exit).isZero();
        assertThat(err.toString()).contains("installed " + installed.toAbsolutePath());
        assertThat(installed).hasBinaryContent(HookCommand.script());
        assertThat(Files.isExecutable(installed)).isTrue();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result hook(final String stdin, final Instant fired, final String token) {
        final HookCommand command = new HookCommand();
        command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.clock = Clock.fixed(fired, ZoneOffset.UTC);
        command.environment = Map.of("PEREGRINE_URL", peregrine.url(), "PEREGRINE_TOKEN", token,
                "PEREGRINE_HOOK_SPOOL", spool.toString());
        final CommandLine commandLine = new CommandLine(command);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute();
        return new Result(exit, out.toString(), err.toString());
    }

    private void startServer() throws IOException {
        peregrine.start();
    }
}
