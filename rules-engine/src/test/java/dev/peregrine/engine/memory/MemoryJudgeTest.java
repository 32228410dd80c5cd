package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.MemoryVerdict;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MemoryJudgeTest {

    private static final PerAgent<MemoryAnomalySettings> SETTINGS = settings();

    private final MemoryJudge judge = new MemoryJudge(SETTINGS);

    private static PerAgent<MemoryAnomalySettings> settings() {
        try {
            return DetectionSettings.parse("""
                    detections:
                      memory_anomaly:
                        shared_namespaces: [team-kb]
                    """, "peregrine.yaml").memoryAnomaly();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theVerdictOnAPoisonedWriteNamesTheAlertTheDetectorRaisesForIt() {
        final List<Event> trace = MemoryTraces.load("poisoned_shared_entry_read_by_two_agents.ndjson");
        final Event write = trace.get(1);

        final MemoryVerdict verdict = judge.check(write);
        final Alert alert = MemoryTraces.replay(new MemoryDetector(SETTINGS, new InMemoryStateStore()), List.of(write))
                .get(0);

        assertThat(verdict.verdict()).isEqualTo("flag");
        assertThat(verdict.ruleId()).isEqualTo(alert.ruleId()).isEqualTo("memory_anomaly.instruction");
        assertThat(verdict.priority()).isEqualTo(alert.priority().displayName()).isEqualTo("Critical");
        assertThat(verdict.sha256()).isEqualTo(alert.outputFields().get("memory.sha256"));
        assertThat(verdict.findings()).extracting(MemoryVerdict.Finding::kind)
                .containsExactly("instruction", "instruction", "instruction", "url");
        assertThat(verdict.findings()).extracting(f -> f.kind() + "@" + f.offset() + "-" + (f.offset() + f.length())
                + " (" + f.detail() + ")").containsExactlyElementsOf(List.of(
                ((String) alert.outputFields().get("findings")).split("; ")));
        final MemoryVerdict.Finding url = verdict.findings().get(3);
        final String content = write.getString(StandardFields.MEMORY_CONTENT);
        assertThat(content.substring(url.offset(), url.offset() + url.length()))
                .startsWith("https://collect.evil-metrics.io");
        assertThat(url.evidence()).contains("collect.evil-metrics.io").hasSizeLessThanOrEqualTo(Evidence.MAX_EXCERPT + 6);
    }

    @Test
    void aCleanWriteIsAllowedWithItsHash() {
        final Event write = MemoryTraces.load("clean_entry_in_own_namespace.ndjson").get(0);

        final MemoryVerdict verdict = judge.check(write);

        assertThat(verdict.verdict()).isEqualTo("allow");
        assertThat(verdict.ruleId()).isNull();
        assertThat(verdict.priority()).isNull();
        assertThat(verdict.findings()).isEmpty();
        assertThat(verdict.sha256()).isEqualTo(Evidence.sha256(write.getString(StandardFields.MEMORY_CONTENT)));
    }

    @Test
    void evidenceNeverCarriesTheSecret() {
        final String key = "sk-ant-api03-" + "Zq4Wm8Rt2Yp6Ks0Lv3Nb7Xc1Hd5Jf9Gg";
        final Event write = write("research-bot", "research-bot", "Billing client notes: the key is " + key
                + " until rotation.");

        final MemoryVerdict verdict = judge.check(write);

        assertThat(verdict.ruleId()).isEqualTo("memory_anomaly.secret");
        assertThat(verdict.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.evidence()).contains("sk-a", "****").doesNotContain(key.substring(4));
            assertThat(finding.detail()).doesNotContain(key.substring(4));
        });
    }

    @Test
    void aWriteIntoAnotherAgentsNamespaceIsFlaggedAsCrossNamespaceWithoutAnExcerpt() {
        final MemoryVerdict verdict = judge.check(write("research-bot", "ci-runner", "Build cache lives in /tmp/cache."));

        assertThat(verdict.ruleId()).isEqualTo("memory_anomaly.cross_namespace");
        assertThat(verdict.priority()).isEqualTo("Warning");
        assertThat(verdict.findings()).singleElement().satisfies(finding -> {
            assertThat(finding.offset()).isZero();
            assertThat(finding.length()).isZero();
            assertThat(finding.evidence()).isNull();
        });
    }

    @Test
    void aWriteCarryingOnlyAHashIsJudgedOnItsNamespace() {
        final Event write = Event.builder().time(1_795_000_000_000_000_000L).set(StandardFields.EVT_TYPE, "memory_write")
                .set(StandardFields.AGENT_ID, "research-bot").set(StandardFields.MEMORY_NAMESPACE, "research-bot")
                .set(StandardFields.MEMORY_SHA256, "ABCDEF0123").build();

        assertThat(judge.check(write)).isEqualTo(MemoryVerdict.allow("abcdef0123"));
    }

    @Test
    void aWriteNamingNoAgentCannotBeJudged() {
        final Event write = Event.builder().time(1_795_000_000_000_000_000L).set(StandardFields.EVT_TYPE, "memory_write")
                .set(StandardFields.MEMORY_CONTENT, "hello").build();

        assertThatThrownBy(() -> judge.check(write)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no agent");
    }

    @Test
    void judgingFromManyThreadsAtOnceGivesTheSameVerdicts() throws Exception {
        final List<Event> writes = MemoryTraces.load("poisoned_shared_entry_read_by_two_agents.ndjson",
                "benign_look_alikes.ndjson", "clean_rewrite_clears_taint.ndjson").stream()
                .filter(e -> "memory_write".equals(e.getString(StandardFields.EVT_TYPE))).toList();
        final List<MemoryVerdict> alone = writes.stream().map(judge::check).toList();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<List<MemoryVerdict>>> runs = IntStream.range(0, 8)
                    .mapToObj(i -> pool.submit(() -> writes.stream().map(judge::check).toList())).toList();
            for (final Future<List<MemoryVerdict>> run : runs) {
                assertThat(run.get()).isEqualTo(alone);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Event write(final String agent, final String namespace, final String content) {
        return Event.builder().time(1_795_000_000_000_000_000L).set(StandardFields.EVT_TYPE, "memory_write").set(StandardFields.AGENT_ID, agent)
                .set(StandardFields.AGENT_SESSION, "s-1").set(StandardFields.MEMORY_NAMESPACE, namespace)
                .set(StandardFields.MEMORY_KEY, "notes").set(StandardFields.MEMORY_CONTENT, content).build();
    }
}
