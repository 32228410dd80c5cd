package dev.peregrine.engine.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.Traces;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rules replaced while events flow: swapped between two events, broken reloads change nothing. */
class ReloadableEngineTest {

    private static final String DIR = "dev/peregrine/engine/reload/";
    private static final String V1 = DIR + "rules-v1.yaml";
    private static final String V2 = DIR + "rules-v2.yaml";
    private static final String BROKEN = DIR + "broken.yaml";
    private static final String CEP = DIR + "correlation.yaml";
    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    private static final Duration LATENESS = Duration.ofSeconds(2);

    // One compiler for every load, so the shared cep item's EPL is compiled once. CepCompiler is not
    // thread-safe: tests run one at a time and each engine loads on one reload thread, one load at a time.
    private static final CepCompiler COMPILER = new CepCompiler(FieldRegistry.standard());
    private static final RuleLoader LOADER = new RuleLoader(FieldRegistry.standard(), COMPILER);
    private static LoadedRules v1;
    private final List<ReloadableEngine> engines = new ArrayList<>();
    private final NdjsonParser parser = new NdjsonParser();

    @AfterEach
    void closeEngines() {
        engines.forEach(ReloadableEngine::close);
    }

    @BeforeAll
    static void loadGenerationZero() {
        v1 = loading(V1, CEP).get();
    }

    private static Supplier<LoadedRules> loading(final String... resources) {
        return LoadedRules.fromFiles(LOADER, COMPILER, files(resources));
    }

    private static List<RuleFile> files(final String... resources) {
        return List.of(resources).stream().map(Traces::ruleFile).toList();
    }

    private ReloadableEngine engine(final LoadedRules rules, final List<Detector> detectors) {
        final ReloadableEngine engine = new ReloadableEngine(rules, detectors, LATENESS);
        engines.add(engine);
        return engine;
    }

    private Event event(final long second, final String session, final String type, final String proc,
                        final String extra) {
        final String line = "{\"evt.time\": \"" + Instant.ofEpochMilli(T0 + second * 1000) + "\", \"evt.source\": "
                + "\"syscall\", \"evt.type\": \"" + type + "\", \"evt.res\": \"SUCCESS\", \"agent.id\": \"ci-runner\", "
                + "\"agent.session\": \"" + session + "\", \"host.name\": \"node-a\", \"proc.pid\": 100, "
                + "\"proc.name\": \"" + proc + "\"" + extra + "}";
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return parser.parse(bytes, 0, bytes.length);
        } catch (final LineRejectedException e) {
            throw new AssertionError(line, e);
        }
    }

    private Event shell(final long second, final String session) {
        return event(second, session, "execve", "bash", ", \"proc.args\": \"-c id\"");
    }

    private Event curl(final long second, final String session) {
        return event(second, session, "execve", "curl", ", \"proc.args\": \"http://example.com\"");
    }

    private Event metadata(final long second, final String session) {
        return event(second, session, "connect", "curl", ", \"fd.name\": \"10.0.0.5:40000->169.254.169.254:80\", "
                + "\"fd.sip\": \"169.254.169.254\", \"fd.sport\": 80");
    }

    private static ReloadResult await(final CompletableFuture<ReloadResult> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    @Test
    void newRulesMeetEveryEventAfterTheSwapAndNoneBefore() throws Exception {
        final ReloadableEngine engine = engine(v1, List.of());
        final List<Alert> alerts = new ArrayList<>();

        engine.onEvent(curl(0, "s-1"), alerts::add);
        engine.onEvent(shell(1, "s-1"), alerts::add);
        final Reload reload = engine.reload(loading(V2, CEP));
        final ReloadResult compiled = await(reload.compiled());
        assertThat(compiled.outcome()).isEqualTo(ReloadResult.Outcome.COMPILED);
        assertThat(reload.outcome()).isNotDone();
        assertThat(engine.generation()).isZero();

        engine.onEvent(curl(10, "s-1"), alerts::add);
        final ReloadResult applied = await(reload.outcome());
        engine.endOfInput(alerts::add);

        assertThat(applied.outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(applied.generation()).isEqualTo(1);
        assertThat(applied.rules()).isEqualTo(3);
        assertThat(applied.cepRules()).containsExactly("shell_then_metadata");
        assertThat(applied.problems()).isEmpty();
        assertThat(engine.generation()).isEqualTo(1);
        assertThat(engine.reloadsApplied()).isEqualTo(1);
        assertThat(engine.lastResult()).contains(applied);
        // the curl before the reload met generation 0 (no curl rule), the held shell was not lost
        assertThat(alerts).extracting(Alert::ruleId).containsExactly("shell_spawned", "curl_run");
        assertThat(alerts.get(1).timeNanos()).isEqualTo((T0 + 10_000) * 1_000_000);
    }

    @Test
    void brokenReloadKeepsTheOldRulesSaysWhyAndChangesNoAlert() throws Exception {
        final List<Event> trace = List.of(shell(0, "s-1"), curl(5, "s-1"), metadata(30, "s-1"), shell(40, "s-2"),
                curl(50, "s-2"), metadata(60, "s-2"));
        final ReloadableEngine untouched = engine(v1, List.of());
        final List<Alert> expected = new ArrayList<>();
        trace.forEach(event -> untouched.onEvent(event, expected::add));
        untouched.endOfInput(expected::add);

        final ReloadableEngine engine = engine(v1, List.of());
        final List<Alert> alerts = new ArrayList<>();
        final List<ReloadResult> results = new ArrayList<>();
        for (int i = 0; i < trace.size(); i++) {
            engine.onEvent(trace.get(i), alerts::add);
            if (i == 1) {
                results.add(await(engine.reload(loading(BROKEN, CEP)).outcome()));
            } else if (i == 2) {
                results.add(await(engine.reload(() -> {
                    throw new UncheckedIOException(new java.io.IOException("rules directory unreadable"));
                }).outcome()));
            } else if (i == 3) {
                results.add(await(engine.reload(() -> null).outcome()));
            }
        }
        engine.endOfInput(alerts::add);

        assertThat(alerts).isEqualTo(expected);
        assertThat(expected).extracting(Alert::ruleId).contains("shell_then_metadata");
        assertThat(results).allSatisfy(result -> {
            assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
            assertThat(result.generation()).isZero();
            assertThat(result.problems()).isNotEmpty();
        });
        assertThat(results.get(0).problems()).anySatisfy(problem ->
                assertThat(problem).startsWith(BROKEN + ":5:").contains("proc.nme"));
        assertThat(results.get(1).problems()).singleElement().asString().contains("rules directory unreadable");
        assertThat(results.get(2).problems()).singleElement().asString().contains("returned null");
        assertThat(engine.reloadsRejected()).isEqualTo(3);
        assertThat(engine.reloadsApplied()).isZero();
        assertThat(engine.generation()).isZero();
        assertThat(engine.failures()).isEmpty();
    }

    @Test
    void alertsKeepFlowingDuringTenReloads() throws Exception {
        final CountingDetector builtIn = new CountingDetector();
        final ReloadableEngine engine = engine(v1, List.of(builtIn));
        final Map<String, Long> alertsByRule = new TreeMap<>();
        final AtomicLong shells = new AtomicLong();
        final AtomicLong curls = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Semaphore fed = new Semaphore(0);
        final CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            final Consumer<Alert> count = alert -> alertsByRule.merge(alert.ruleId(), 1L, Long::sum);
            for (long second = 0; !stop.get(); second++) {
                final boolean isShell = second % 2 == 0;
                engine.onEvent(isShell ? shell(second, "s-" + second % 7) : curl(second, "s-" + second % 7), count);
                (isShell ? shells : curls).incrementAndGet();
                fed.release();
            }
            engine.endOfInput(count);
        });

        final List<ReloadResult> applied = new ArrayList<>();
        fed.acquire(50);
        for (int i = 1; i <= 10; i++) {
            final Reload reload = engine.reload(loading(i % 2 == 1 ? V2 : V1, CEP));
            applied.add(await(reload.outcome()));
            // every generation meets at least 50 events: v2 and v1 alternate under a running stream
            fed.drainPermits();
            fed.acquire(50);
        }
        stop.set(true);
        feeding.get(60, TimeUnit.SECONDS);

        assertThat(applied).extracting(ReloadResult::outcome).containsOnly(ReloadResult.Outcome.APPLIED);
        assertThat(applied).extracting(ReloadResult::generation).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(engine.generation()).isEqualTo(10);
        assertThat(engine.reloadsApplied()).isEqualTo(10);
        assertThat(engine.failures()).isEmpty();
        assertThat(engine.lateEvents()).isZero();
        // every shell raised exactly one alert in whichever generation met it: none lost, none doubled at a swap
        assertThat(alertsByRule.get("shell_spawned")).isEqualTo(shells.get());
        // curls alert only under v2, which ran five times with at least 50 events each
        assertThat(alertsByRule.get("curl_run")).isBetween(5L * 25, curls.get() - 1);
        // the built-in detector was never rebuilt nor closed: one instance saw every event once
        assertThat(builtIn.events).isEqualTo(shells.get() + curls.get());
        assertThat(builtIn.closed).isZero();
        engine.close();
        engines.remove(engine);
        assertThat(builtIn.closed).isEqualTo(1);
    }

    @Test
    void aRefusedReloadNamesTheGenerationWhoseRulesStayEvenBeforeItsSwap() throws Exception {
        final ReloadableEngine engine = engine(v1, List.of());
        final Reload accepted = engine.reload(loading(V2, CEP));
        assertThat(await(accepted.compiled()).generation()).isEqualTo(1);

        // no event has arrived: generation 1 waits for the next one, and it is what stays
        final ReloadResult refused = await(engine.reload(loading(BROKEN, CEP)).outcome());
        assertThat(refused.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
        assertThat(refused.generation()).isEqualTo(1);
        assertThat(engine.generation()).isZero();

        final List<Alert> alerts = new ArrayList<>();
        engine.onEvent(curl(0, "s-1"), alerts::add);
        engine.endOfInput(alerts::add);
        assertThat(await(accepted.outcome()).outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(engine.generation()).isEqualTo(1);
        assertThat(alerts).extracting(Alert::ruleId).containsExactly("curl_run");
    }

    @Test
    void aReloadOvertakenBeforeItsSwapNeverRuns() throws Exception {
        final ReloadableEngine engine = engine(v1, List.of());
        final Reload first = engine.reload(loading(V2, CEP));
        final Reload second = engine.reload(loading(V1, CEP));

        assertThat(await(second.compiled()).generation()).isEqualTo(2);
        assertThat(await(first.outcome()).outcome()).isEqualTo(ReloadResult.Outcome.SUPERSEDED);
        final List<Alert> alerts = new ArrayList<>();
        engine.onEvent(curl(0, "s-1"), alerts::add);
        engine.endOfInput(alerts::add);

        assertThat(await(second.outcome()).outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(engine.generation()).isEqualTo(2);
        assertThat(engine.reloadsApplied()).isEqualTo(1);
        assertThat(alerts).isEmpty();
    }

    @Test
    void aCepWindowOfAnUnchangedItemOutlivesTheSwap() throws Exception {
        final ReloadableEngine engine = engine(v1, List.of());
        final List<Alert> alerts = new ArrayList<>();

        engine.onEvent(shell(0, "s-1"), alerts::add);
        await(engine.reload(loading(V1, CEP)).compiled());
        engine.onEvent(metadata(30, "s-1"), alerts::add);
        engine.onEvent(shell(40, "s-2"), alerts::add);
        engine.onEvent(metadata(60, "s-2"), alerts::add);
        engine.endOfInput(alerts::add);

        // s-1's shell went into the window before the reload; the item is unchanged, so the window kept it
        assertThat(alerts).extracting(alert -> alert.ruleId() + " " + alert.session()).containsExactly(
                "shell_spawned s-1", "metadata_connect s-1", "shell_then_metadata s-1", "shell_spawned s-2",
                "metadata_connect s-2", "shell_then_metadata s-2");
        assertThat(engine.lastCepSwap()).hasValueSatisfying(swap -> {
            assertThat(swap.kept()).containsExactly("shell_then_metadata");
            assertThat(swap.started()).isEmpty();
            assertThat(swap.stopped()).isEmpty();
        });
    }

    @Test
    void aReloadAfterCloseIsRejected() throws Exception {
        final ReloadableEngine engine = engine(v1, List.of());
        engine.close();
        engines.remove(engine);

        final ReloadResult result = await(engine.reload(loading(V2, CEP)).outcome());

        assertThat(result.rejected()).isTrue();
        assertThat(result.problems()).containsExactly("the engine is closed");
    }

    /** A stand-in for a built-in detector with state: counts what it saw, and how often it was closed. */
    private static final class CountingDetector implements Detector {
        long events;
        int closed;

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            events++;
        }

        @Override
        public void close() {
            closed++;
        }
    }
}
