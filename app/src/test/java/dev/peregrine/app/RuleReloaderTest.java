package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.ReloadResult;
import dev.peregrine.engine.reload.ReloadableEngine;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.time.ReorderBuffer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reload, whatever asked for it, and every refused attempt is counted by trigger and result
 * and becomes a {@code platform_access} event with {@code platform.op=rules_reload}.
 */
class RuleReloaderTest {

    private static final String RULE = """
            - rule: Curl run
              id: curl_run
              desc: curl was run.
              condition: evt.type = execve and proc.name = curl
              output: curl run (command=%proc.cmdline)
              priority: NOTICE
              tags: [test]
            """;

    private static final Instant NOW = Instant.parse("2026-11-27T18:00:00Z");

    @TempDir
    Path dir;

    private Path rules;
    private ReloadableEngine engine;
    private PlatformAccessEvents platform;
    private PrometheusRegistry registry;
    private RuleReloader reloader;

    @BeforeEach
    void start() throws Exception {
        rules = dir.resolve("rules.yaml");
        Files.writeString(rules, RULE);
        final RuleSet loaded = RuleFiles.load(List.of(rules));
        engine = new ReloadableEngine(new LoadedRules(loaded, RuleFiles.cepProgram(loaded)), List.of(),
                ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        platform = new PlatformAccessEvents();
        registry = new PrometheusRegistry();
        reloader = new RuleReloader(engine::reload, RuleFiles.reloading(List.of(rules)), platform, registry,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        engine.close();
        platform.close();
    }

    @Test
    void aReloadThatCompilesIsASuccessEventWithTheNewGeneration() throws Exception {
        Files.writeString(rules, RULE + "\n" + RULE.replace("curl", "wget").replace("Curl", "Wget"));

        final ReloadResult result = reloader.reload(RuleReloader.Trigger.HTTP, "ops", "127.0.0.1:5000")
                .get(1, TimeUnit.MINUTES);

        assertThat(result.rejected()).isFalse();
        assertThat(result.rules()).isEqualTo(2);
        final Event event = single(auditEvents());
        assertThat(event.timeNanos()).isEqualTo(NOW.getEpochSecond() * 1_000_000_000L);
        assertThat(event.getString(StandardFields.EVT_TYPE)).isEqualTo("platform_access");
        assertThat(event.getString(StandardFields.PLATFORM_OP)).isEqualTo("rules_reload");
        assertThat(event.getString(StandardFields.PLATFORM_OUTCOME)).isEqualTo("success");
        assertThat(event.getString(StandardFields.PLATFORM_REMOTE_ADDR)).isEqualTo("127.0.0.1:5000");
        assertThat(event.extras()).containsEntry("reload.trigger", "http").containsEntry("reload.client", "ops")
                .containsEntry("reload.generation", 1L).containsEntry("reload.rules", 2L)
                .containsEntry("reload.cep_items", 0L).containsEntry("reload.problems", 0L);
        assertThat(count("http", "success")).isEqualTo(1);
    }

    @Test
    void aBrokenRuleFileIsAnInvalidEventNamingWhereTheProblemIs() throws Exception {
        Files.writeString(rules, RULE.replace("proc.name = curl", "proc.nme = curl"));

        final ReloadResult result = reloader.reload(RuleReloader.Trigger.FILE, "rule file watch", null)
                .get(1, TimeUnit.MINUTES);

        assertThat(result.rejected()).isTrue();
        final Event event = single(auditEvents());
        assertThat(event.getString(StandardFields.PLATFORM_OUTCOME)).isEqualTo("invalid");
        assertThat(event.has(StandardFields.PLATFORM_REMOTE_ADDR)).isFalse();
        assertThat(event.extras()).containsEntry("reload.trigger", "file").containsEntry("reload.generation", 0L)
                .containsEntry("reload.problems", 1L);
        assertThat((String) event.extra("reload.problem")).startsWith(rules + ":4:").contains("proc.nme");
        assertThat(count("file", "invalid")).isEqualTo(1);
        assertThat(count("file", "success")).isZero();
    }

    @Test
    void aRefusedAttemptIsCountedAndRecordedWithoutLoadingAnything() throws Exception {
        reloader.refused(RuleReloader.Trigger.HTTP, "unauthorized", "no valid token", "10.0.0.9:4000", "no token");

        final Event event = single(auditEvents());
        assertThat(event.getString(StandardFields.PLATFORM_OUTCOME)).isEqualTo("unauthorized");
        assertThat(event.extras()).doesNotContainKey("reload.generation");
        assertThat(count("http", "unauthorized")).isEqualTo(1);
        assertThat(engine.reloadsApplied() + engine.reloadsRejected()).isZero();
    }

    private List<Event> auditEvents() throws Exception {
        platform.close();
        final List<Event> events = new ArrayList<>();
        platform.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                throw new AssertionError("the platform source rejects nothing: " + rejection);
            }
        });
        return events;
    }

    private static Event single(final List<Event> events) {
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private double count(final String trigger, final String result) {
        return registry.scrape().stream()
                .filter(snapshot -> snapshot.getMetadata().getName().equals("peregrine_rules_reloads"))
                .flatMap(snapshot -> ((CounterSnapshot) snapshot).getDataPoints().stream())
                .filter(point -> point.getLabels().get("trigger").equals(trigger)
                        && point.getLabels().get("result").equals(result))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }
}
