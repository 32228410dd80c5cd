package dev.peregrine.engine.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.Traces;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CEP state through reloads, on a prompt-injected agent's session: it downloads a helper with curl
 * (and spawned a shell to do it), reloads happen, then it runs the helper, which fetches the cloud
 * metadata service. download_then_execute (a pattern with a 10-minute timer) and
 * shell_then_metadata (a 5-minute named window) each saw half of their sequence before the reload.
 */
class CepStateThroughReloadsTest {

    private static final String DIR = "dev/peregrine/engine/reload/";
    private static final String RULES = DIR + "rules-v1.yaml";
    private static final String RULES_WITH_CURL = DIR + "rules-v2.yaml";
    private static final String BROKEN = DIR + "broken.yaml";
    private static final String WINDOW = DIR + "correlation.yaml";
    private static final String WINDOW_CHANGED = DIR + "correlation-changed.yaml";
    private static final String PUBLIC_WINDOW = DIR + "correlation-public.yaml";
    private static final String PUBLIC_WINDOW_CHANGED = DIR + "correlation-public-changed.yaml";
    private static final String PATTERN = DIR + "download-then-execute.yaml";
    private static final String PATTERN_CHANGED = DIR + "download-then-execute-changed.yaml";
    private static final List<Event> BEFORE = Traces.events(DIR + "download-then-execute-before.ndjson");
    private static final List<Event> AFTER = Traces.events(DIR + "download-then-execute-after.ndjson");
    private static final Duration LATENESS = Duration.ofSeconds(2);

    // One compiler for every load (not thread-safe: each engine loads on its one reload thread, one load at a time).
    private static final CepCompiler COMPILER = new CepCompiler(FieldRegistry.standard());
    private static final RuleLoader LOADER = new RuleLoader(FieldRegistry.standard(), COMPILER);
    private static LoadedRules start;
    private final List<ReloadableEngine> engines = new ArrayList<>();

    @BeforeAll
    static void loadTheRunningRules() {
        start = loading(RULES, WINDOW, PATTERN).get();
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(ReloadableEngine::close);
    }

    private static Supplier<LoadedRules> loading(final String... resources) {
        final List<RuleFile> files = List.of(resources).stream().map(Traces::ruleFile).toList();
        return LoadedRules.fromFiles(LOADER, COMPILER, files);
    }

    private ReloadableEngine engine() {
        return engine(start);
    }

    private ReloadableEngine engine(final LoadedRules rules) {
        final ReloadableEngine engine = new ReloadableEngine(rules, List.of(), LATENESS);
        engines.add(engine);
        return engine;
    }

    /** The trace's first half, a reload with {@code reloading} swapped in at the second half's first event, the rest. */
    private Run reloadHalfway(final Supplier<LoadedRules> reloading) throws Exception {
        return reloadHalfway(engine(), reloading, List.of());
    }

    /** As {@link #reloadHalfway(Supplier)} on {@code engine}, then {@code more} events. */
    private static Run reloadHalfway(final ReloadableEngine engine, final Supplier<LoadedRules> reloading,
                                     final List<Event> more) throws Exception {
        final List<Alert> alerts = new ArrayList<>();
        BEFORE.forEach(event -> engine.onEvent(event, alerts::add));
        final Reload reload = engine.reload(reloading);
        reload.compiled().get(60, TimeUnit.SECONDS);
        AFTER.forEach(event -> engine.onEvent(event, alerts::add));
        more.forEach(event -> engine.onEvent(event, alerts::add));
        engine.endOfInput(alerts::add);
        return new Run(engine, alerts, reload.outcome().get(60, TimeUnit.SECONDS));
    }

    private record Run(ReloadableEngine engine, List<Alert> alerts, ReloadResult reload) {
        List<Alert> of(final String ruleId) {
            return alerts.stream().filter(alert -> alert.ruleId().equals(ruleId)).toList();
        }

        List<String> sessionsOf(final String ruleId) {
            return of(ruleId).stream().map(Alert::session).toList();
        }
    }

    private List<Alert> withoutReload() {
        final ReloadableEngine engine = engine();
        final List<Alert> alerts = new ArrayList<>();
        BEFORE.forEach(event -> engine.onEvent(event, alerts::add));
        AFTER.forEach(event -> engine.onEvent(event, alerts::add));
        engine.endOfInput(alerts::add);
        return alerts;
    }

    @Test
    void withoutAReloadBothSequencesComplete() {
        final List<Alert> alerts = withoutReload();

        assertThat(alerts).extracting(Alert::ruleId).containsExactly("shell_spawned", "download_then_execute",
                "metadata_connect", "shell_then_metadata");
        assertThat(alerts.get(1).output()).contains("file=/tmp/.cache/agent-helper",
                "downloaded_at=2026-11-22T10:15:03.655");
    }

    @Test
    void aSequenceHalfSeenBeforeAReloadOfAnUnrelatedRuleCompletesAfterIt() throws Exception {
        final Run run = reloadHalfway(loading(RULES_WITH_CURL, WINDOW, PATTERN));

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(run.of("download_then_execute")).singleElement()
                .satisfies(alert -> assertThat(alert.firstSeenNanos()).isEqualTo(BEFORE.get(3).timeNanos()));
        assertThat(run.of("shell_then_metadata")).hasSize(1);
        // the same alerts, same ids, as a run without the reload, plus what the new curl rule matched
        final List<Alert> cep = run.alerts().stream().filter(alert -> alert.tags().contains("cep")
                || alert.ruleId().equals("download_then_execute")).toList();
        final List<Alert> expected = withoutReload().stream().filter(alert -> alert.tags().contains("cep")
                || alert.ruleId().equals("download_then_execute")).toList();
        assertThat(cep).isEqualTo(expected);
        assertThat(run.of("curl_run")).isEmpty(); // the only curl ran before the reload
        assertThat(run.engine().lastCepSwap()).hasValueSatisfying(swap -> {
            assertThat(swap.kept()).containsExactly("shell_then_metadata", "download_then_execute");
            assertThat(swap.started()).isEmpty();
            assertThat(swap.stopped()).isEmpty();
        });
    }

    @Test
    void aChangedItemStartsEmptyWhileTheUnchangedOneKeepsItsWindow() throws Exception {
        final Run run = reloadHalfway(loading(RULES, WINDOW, PATTERN_CHANGED));

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(run.of("download_then_execute")).isEmpty();
        assertThat(run.of("shell_then_metadata")).hasSize(1);
        assertThat(run.engine().lastCepSwap()).hasValueSatisfying(swap -> {
            assertThat(swap.kept()).containsExactly("shell_then_metadata");
            assertThat(swap.started()).containsExactly("download_then_execute");
            assertThat(swap.stopped()).containsExactly("download_then_execute");
        });
    }

    @Test
    void aChangedItemWithANamedWindowStartsWithItEmpty() throws Exception {
        final Run run = reloadHalfway(loading(RULES, WINDOW_CHANGED, PATTERN));

        assertThat(run.of("shell_then_metadata")).isEmpty();
        assertThat(run.of("download_then_execute")).hasSize(1);
        assertThat(run.engine().failures()).isEmpty();
    }

    @Test
    void aChangedItemWithAPublicWindowStartsOnceItsOldVersionStopped() throws Exception {
        final ReloadableEngine engine = engine(loading(RULES, PUBLIC_WINDOW, PATTERN).get());
        final List<Event> nextSession = new SessionCopies().copy(1);

        final Run run = reloadHalfway(engine, loading(RULES, PUBLIC_WINDOW_CHANGED, PATTERN), nextSession);

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        // the old window went with the old version; the new one runs, and so does the untouched pattern
        assertThat(run.sessionsOf("shell_then_metadata")).containsExactly("s-62d0f4-1");
        assertThat(run.sessionsOf("download_then_execute")).containsExactly("s-62d0f4", "s-62d0f4-1");
        assertThat(run.engine().failures()).isEmpty();
    }

    @Test
    void rulesCompiledByAnotherCompilerRunInTheSameRuntime() throws Exception {
        // as run does: the rules it started with and its reloads come from two compilers
        final CepCompiler other = new CepCompiler(FieldRegistry.standard());
        final List<RuleFile> files = List.of(RULES_WITH_CURL, WINDOW, PATTERN_CHANGED).stream()
                .map(Traces::ruleFile).toList();
        final List<Event> nextSession = new SessionCopies().copy(1);

        final Run run = reloadHalfway(engine(), LoadedRules.fromFiles(new RuleLoader(FieldRegistry.standard(), other),
                other, files), nextSession);

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(run.sessionsOf("shell_then_metadata")).containsExactly("s-62d0f4", "s-62d0f4-1");
        assertThat(run.sessionsOf("download_then_execute")).containsExactly("s-62d0f4-1");
        assertThat(run.engine().failures()).isEmpty();
    }

    @Test
    void aRemovedItemStops() throws Exception {
        final Run run = reloadHalfway(loading(RULES, WINDOW));

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(run.reload().cepRules()).containsExactly("shell_then_metadata");
        assertThat(run.of("download_then_execute")).isEmpty();
        assertThat(run.of("shell_then_metadata")).hasSize(1);
        assertThat(run.engine().lastCepSwap()).hasValueSatisfying(swap ->
                assertThat(swap.stopped()).containsExactly("download_then_execute"));
    }

    @Test
    void aNewItemStartsAtTheSwapAndSeesOnlyWhatFollows() throws Exception {
        final ReloadableEngine engine = new ReloadableEngine(loading(RULES, WINDOW).get(), List.of(), LATENESS);
        engines.add(engine);
        final List<Alert> alerts = new ArrayList<>();
        BEFORE.forEach(event -> engine.onEvent(event, alerts::add));
        final Reload reload = engine.reload(loading(RULES, WINDOW, PATTERN));
        reload.compiled().get(60, TimeUnit.SECONDS);
        AFTER.forEach(event -> engine.onEvent(event, alerts::add));
        engine.endOfInput(alerts::add);

        assertThat(reload.outcome().get(60, TimeUnit.SECONDS).outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        // the download happened before download_then_execute existed
        assertThat(alerts).extracting(Alert::ruleId).doesNotContain("download_then_execute")
                .contains("shell_then_metadata");
    }

    @Test
    void anEngineStartedWithoutCepItemsRunsTheOnesAReloadAdds() throws Exception {
        final ReloadableEngine engine = engine(loading(RULES).get());

        final Run run = reloadHalfway(engine, loading(RULES, WINDOW, PATTERN), new SessionCopies().copy(1));

        assertThat(run.sessionsOf("shell_then_metadata")).containsExactly("s-62d0f4-1");
        assertThat(run.sessionsOf("download_then_execute")).containsExactly("s-62d0f4-1");
        assertThat(run.engine().failures()).isEmpty();
    }

    @Test
    void itemsRemovedByOneReloadAndRestoredByTheNextStartAfresh() throws Exception {
        final ReloadableEngine engine = engine();
        final List<Event> nextSession = new SessionCopies().copy(1);
        final List<Alert> alerts = new ArrayList<>();
        BEFORE.forEach(event -> engine.onEvent(event, alerts::add));
        engine.reload(loading(RULES)).compiled().get(60, TimeUnit.SECONDS);
        AFTER.forEach(event -> engine.onEvent(event, alerts::add));
        engine.reload(loading(RULES, WINDOW, PATTERN)).compiled().get(60, TimeUnit.SECONDS);
        nextSession.forEach(event -> engine.onEvent(event, alerts::add));
        engine.endOfInput(alerts::add);

        assertThat(engine.generation()).isEqualTo(2);
        // the first session's sequences were dropped with the items; the next one is seen whole
        assertThat(alerts).filteredOn(alert -> alert.ruleId().equals("shell_then_metadata")
                || alert.ruleId().equals("download_then_execute")).extracting(Alert::session)
                .containsExactly("s-62d0f4-1", "s-62d0f4-1");
        assertThat(engine.failures()).isEmpty();
    }

    @Test
    void aBrokenReloadInTheMiddleChangesNothing() throws Exception {
        final Run run = reloadHalfway(loading(BROKEN, WINDOW, PATTERN));

        assertThat(run.reload().outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
        assertThat(run.alerts()).isEqualTo(withoutReload());
        assertThat(run.engine().reloadsRejected()).isEqualTo(1);
        assertThat(run.engine().lastCepSwap()).isEmpty();
    }

    @Test
    void tenReloadsOfUnchangedRulesWhileEventsFlowRaiseTheSameAlertsAsNone() throws Exception {
        final List<Event> fed = Collections.synchronizedList(new ArrayList<>());
        final ReloadableEngine engine = engine();
        final List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        final Semaphore budget = new Semaphore(0);
        final AtomicBoolean stop = new AtomicBoolean();
        final SessionCopies copies = new SessionCopies();
        final CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            try {
                while (true) {
                    budget.acquire();
                    if (stop.get()) {
                        break;
                    }
                    final Event event = copies.next();
                    fed.add(event);
                    engine.onEvent(event, alerts::add);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            engine.endOfInput(alerts::add);
        });

        final List<ReloadResult> results = new ArrayList<>();
        budget.release(40);
        for (int i = 1; i <= 10; i++) {
            // the same files as the running rules, loaded and compiled again while events are fed
            final Reload reload = engine.reload(loading(RULES, WINDOW, PATTERN));
            budget.release(37);
            reload.compiled().get(60, TimeUnit.SECONDS);
            budget.release(1 + i % 3); // the swap lands at the next event, wherever the feeder is
            results.add(reload.outcome().get(60, TimeUnit.SECONDS));
        }
        budget.release(120);
        await().atMost(Duration.ofMinutes(1)).until(() -> budget.availablePermits() == 0);
        stop.set(true);
        budget.release();
        feeding.get(60, TimeUnit.SECONDS);

        final ReloadableEngine untouched = engine();
        final List<Alert> expected = new ArrayList<>();
        fed.forEach(event -> untouched.onEvent(event, expected::add));
        untouched.endOfInput(expected::add);

        assertThat(results).extracting(ReloadResult::outcome).containsOnly(ReloadResult.Outcome.APPLIED);
        assertThat(engine.generation()).isEqualTo(10);
        assertThat(engine.lastCepSwap()).hasValueSatisfying(swap -> assertThat(swap.started()).isEmpty());
        assertThat(engine.failures()).isEmpty();
        assertThat(alerts).isEqualTo(expected);
        // one download_then_execute per whole copy of the session at least: the swaps fell amid sequences
        assertThat(expected.stream().filter(alert -> alert.ruleId().equals("download_then_execute")).count())
                .isGreaterThanOrEqualTo(fed.size() / copies.size()).isGreaterThan(10);
    }

    /**
     * The session over and over: copy k of the trace runs 4 minutes after copy k-1, as session
     * {@code s-62d0f4-k}, so copies never overlap and each has its own sequences.
     */
    private static final class SessionCopies {
        private static final Pattern TIME = Pattern.compile("\"evt\\.time\": \"([^\"]+)\"");
        private final List<String> lines = new ArrayList<>();
        private final NdjsonParser parser = new NdjsonParser();
        private int next;

        SessionCopies() {
            for (final String resource : List.of("download-then-execute-before.ndjson",
                    "download-then-execute-after.ndjson")) {
                lines.addAll(text(DIR + resource).lines().filter(line -> !line.isBlank()).toList());
            }
        }

        int size() {
            return lines.size();
        }

        private static String text(final String resource) {
            try (InputStream in = SessionCopies.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new AssertionError("not on the classpath: " + resource);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (final IOException e) {
                throw new AssertionError("cannot read " + resource, e);
            }
        }

        /** Copy {@code k} whole. */
        List<Event> copy(final int k) {
            return lines.stream().map(line -> event(k, line)).toList();
        }

        Event next() {
            final int copy = next / lines.size();
            return event(copy, lines.get(next++ % lines.size()));
        }

        private Event event(final int copy, final String line) {
            final Matcher time = TIME.matcher(line);
            if (!time.find()) {
                throw new AssertionError("no evt.time in " + line);
            }
            final Instant at = Instant.parse(time.group(1)).plus(Duration.ofMinutes(4L * copy));
            final String shifted = time.replaceFirst("\"evt.time\": \"" + at + "\"")
                    .replace("\"s-62d0f4\"", "\"s-62d0f4-" + copy + "\"");
            final byte[] bytes = shifted.getBytes(StandardCharsets.UTF_8);
            try {
                return parser.parse(bytes, 0, bytes.length);
            } catch (final LineRejectedException e) {
                throw new AssertionError(shifted, e);
            }
        }
    }
}
