package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The sh hook ({@code bin/peregrine-hook}, as the jar ships it) run as a real process by
 * {@code sh}, against a real ingest server on 127.0.0.1, up and down: the same contract as
 * {@code peregrine hook}, and the two drain each other's spool.
 */
class HookScriptTest {

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
    private Path script;
    private Path spool;

    @BeforeEach
    void setUp() throws IOException {
        peregrine = new HookIngest();
        script = dir.resolve(HookCommand.SCRIPT);
        Files.write(script, HookCommand.script());
        spool = dir.resolve("spool/hook-spool.ndjson");
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        peregrine.close();
    }

    @Test
    void theScriptInTheJarIsBinPeregrineHook() throws IOException {
        assertThat(script).hasSameBinaryContentAs(Path.of("..", "bin", HookCommand.SCRIPT));
    }

    @Test
    void aPayloadReachesARunningPeregrineStampedWithTheTimeTheHookFired() throws Exception {
        peregrine.start();
        final Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        final Result result = hook(PAYLOAD.formatted("a"));

        final Instant after = Instant.now();
        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEmpty();
        final Event event = peregrine.events.poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.timeNanos()).isBetween(nanos(before), nanos(after));
        assertThat(event.getString(StandardFields.PROC_CMDLINE)).isEqualTo("pip install flask-gpt-helper");
        assertThat(event.getString(StandardFields.AGENT_SESSION)).isEqualTo("sess-1");
        assertThat(event.extra("tool_use_id")).isEqualTo("toolu_a");
        assertThat(spool).doesNotExist();
    }

    @Test
    void whilePeregrineIsDownPayloadsAreSpooledAndTheNextHookThatGetsThroughSendsThemFirst() throws Exception {
        final Result first = hook(PAYLOAD.formatted("1"));
        final Result second = hook(PAYLOAD.formatted("2"));

        assertThat(List.of(first, second)).allSatisfy(result -> {
            assertThat(result.exit()).isZero();
            assertThat(result.out()).isEmpty();
            assertThat(result.err()).contains("cannot reach", "spooled to " + spool);
        });
        assertThat(Files.readAllLines(spool)).hasSize(2)
                .allSatisfy(line -> assertThat(line).startsWith("{\"peregrine_time\":\""));

        peregrine.start();
        final Result third = hook(PAYLOAD.formatted("3"));

        assertThat(third.exit()).isZero();
        assertThat(third.out()).isEmpty();
        assertThat(arrivals(3)).extracting(e -> e.extra("tool_use_id")).containsExactly("toolu_1", "toolu_2", "toolu_3");
        assertThat(spool).doesNotExist();
    }

    @Test
    void concurrentHooksNeitherLoseNorDuplicatePayloads() throws Exception {
        final int hooks = 12;
        final List<Result> down = concurrently(hooks, "down-");
        assertThat(down).allSatisfy(result -> assertThat(result.exit()).isZero());
        assertThat(Files.readAllLines(spool)).as("every line whole, one per hook").hasSize(hooks)
                .allSatisfy(line -> assertThat(line).startsWith("{\"peregrine_time\":\"").endsWith("}"));

        peregrine.start();
        final List<Result> up = concurrently(hooks, "up-");

        assertThat(up).allSatisfy(result -> {
            assertThat(result.exit()).isZero();
            assertThat(result.out()).isEmpty();
        });
        // every hook had its answer before it exited, and the server counts a line before it answers
        assertThat(peregrine.accepted()).isEqualTo(2L * hooks);
        final List<String> ids = arrivals(2 * hooks).stream().map(e -> (String) e.extra("tool_use_id")).toList();
        assertThat(ids).doesNotHaveDuplicates().containsAll(IntStream.range(0, hooks)
                .mapToObj(i -> "toolu_down-" + i).toList());
        assertThat(ids.subList(0, hooks)).as("the spool goes first").allSatisfy(id -> assertThat(id).contains("down-"));
        assertThat(spool).doesNotExist();
    }

    @Test
    void quotesLineBreaksAndUnicodeArriveIntactDirectlyAndThroughTheSpool() throws Exception {
        final String prompt = "she said \"hi\"\nthen\ttabbed \\ back — é 日本語 🦅 \u2028 done";
        final String payload = """
                {
                  "session_id": "sess-u",
                  "hook_event_name": "UserPromptSubmit",
                  "prompt": %s
                }
                """.formatted(dev.peregrine.collector.adapters.JsonTree.write(prompt));

        final Result spooled = hook(payload);
        peregrine.start();
        final Result direct = hook(payload);

        assertThat(List.of(spooled, direct)).allSatisfy(result -> assertThat(result.exit()).isZero());
        assertThat(arrivals(2)).allSatisfy(event -> {
            assertThat(event.extra("prompt")).isEqualTo(prompt);
            assertThat(event.getString(StandardFields.AGENT_SESSION)).isEqualTo("sess-u");
        });
    }

    @Test
    void answersAreTreatedAsPeregrineHookTreatsThem() throws Exception {
        peregrine.start();

        final Result unknownToken = hook(PAYLOAD.formatted("x"), Map.of("PEREGRINE_TOKEN", "not-the-configured-token"));

        assertThat(unknownToken.exit()).isZero();
        assertThat(unknownToken.err()).contains("answered 401", "spooled");
        assertThat(Files.readAllLines(spool)).singleElement().asString().contains("toolu_x");

        final Result partlyRefused = hook("this is not json\n{");

        assertThat(partlyRefused.exit()).isZero();
        assertThat(poll(peregrine.events).extra("tool_use_id")).isEqualTo("toolu_x");
        assertThat(poll(peregrine.rejections).raw()).isEqualTo("this is not json {");
        assertThat(spool).as("taken or kept by Peregrine: nothing waits").doesNotExist();

        final Result refused = hook("this is not json either");

        assertThat(refused.exit()).isZero();
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("refused the payload (400)", "dead-letter");
        assertThat(poll(peregrine.rejections).raw()).isEqualTo("this is not json either");
        assertThat(spool).as("refused payloads are kept by Peregrine, not spooled again").doesNotExist();
    }

    @Test
    void anEmptyStdinSendsNothingAndStillExitsZero() throws Exception {
        final Result result = hook("  \n");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("no payload");
        assertThat(spool).doesNotExist();
    }

    @Test
    void theJvmHookAndTheScriptDrainEachOthersSpool() throws Exception {
        hook(PAYLOAD.formatted("sh-1"));
        jvmHook(PAYLOAD.formatted("jvm-2"), Instant.parse("2026-11-27T09:00:02Z"));
        hook(PAYLOAD.formatted("sh-3"));
        assertThat(Files.readAllLines(spool)).hasSize(3);

        peregrine.start();
        jvmHook(PAYLOAD.formatted("jvm-4"), Instant.parse("2026-11-27T09:00:04Z"));
        assertThat(arrivals(4)).extracting(e -> e.extra("tool_use_id"))
                .containsExactly("toolu_sh-1", "toolu_jvm-2", "toolu_sh-3", "toolu_jvm-4");
        assertThat(spool).doesNotExist();

        peregrine.close();
        jvmHook(PAYLOAD.formatted("jvm-5"), Instant.parse("2026-11-27T09:00:05Z"));
        peregrine.start();
        hook(PAYLOAD.formatted("sh-6"));
        final List<Event> drained = arrivals(2);
        assertThat(drained).extracting(e -> e.extra("tool_use_id")).containsExactly("toolu_jvm-5", "toolu_sh-6");
        assertThat(drained.get(0).timeNanos()).as("the JVM hook's stamp survives the script's drain")
                .isEqualTo(Timestamps.parseRfc3339("2026-11-27T09:00:05Z"));
        assertThat(spool).doesNotExist();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result hook(final String stdin) throws IOException, InterruptedException {
        return hook(stdin, Map.of());
    }

    private Result hook(final String stdin, final Map<String, String> environment)
            throws IOException, InterruptedException {
        return run("hook", stdin, environment);
    }

    private Result run(final String name, final String stdin, final Map<String, String> environment)
            throws IOException, InterruptedException {
        final Path in = Files.createTempFile(dir, name, ".in");
        final Path out = Files.createTempFile(dir, name, ".out");
        final Path err = Files.createTempFile(dir, name, ".err");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        final ProcessBuilder builder = new ProcessBuilder("sh", script.toString())
                .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        final Map<String, String> env = builder.environment();
        env.put("HOME", dir.toString());
        env.putAll(hookEnvironment());
        env.putAll(environment);
        final Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the hook did not end: " + Files.readString(err));
        }
        final Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(in);
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    private Map<String, String> hookEnvironment() {
        final Map<String, String> env = new HashMap<>();
        env.put("PEREGRINE_URL", peregrine.url());
        env.put("PEREGRINE_TOKEN", HookIngest.TOKEN);
        env.put("PEREGRINE_HOOK_SPOOL", spool.toString());
        return env;
    }

    private List<Result> concurrently(final int hooks, final String prefix) throws InterruptedException {
        final List<Result> results = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < hooks; i++) {
            final String id = prefix + i;
            final Thread thread = new Thread(() -> {
                try {
                    final Result result = run(id, PAYLOAD.formatted(id), Map.of());
                    synchronized (results) {
                        results.add(result);
                    }
                } catch (final IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "hook-" + id);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads) {
            thread.join();
        }
        assertThat(results).hasSize(hooks);
        return results;
    }

    private void jvmHook(final String stdin, final Instant fired) {
        final HookCommand command = new HookCommand();
        command.stdin = new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.clock = Clock.fixed(fired, ZoneOffset.UTC);
        command.environment = hookEnvironment();
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
        assertThat(commandLine.execute()).isZero();
    }

    private List<Event> arrivals(final int count) throws InterruptedException {
        final List<Event> arrived = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            arrived.add(poll(peregrine.events));
        }
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(peregrine.events).as("nothing more than expected").isEmpty());
        return arrived;
    }

    private static <T> T poll(final java.util.concurrent.BlockingQueue<T> queue) throws InterruptedException {
        final T item = queue.poll(10, TimeUnit.SECONDS);
        assertThat(item).as("arrived in time").isNotNull();
        return item;
    }

    private static long nanos(final Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
