package dev.peregrine.alerting.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.metrics.SinkMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolingSinkTest {

    private static final long TIME = 1_795_342_562_123_456_789L;

    @TempDir
    Path dir;

    /** A destination that can be taken down; records what it accepted, in order. */
    private static final class Destination implements AlertSink {
        final List<String> accepted = new ArrayList<>();
        final Set<String> refused = new java.util.HashSet<>();
        boolean down;
        int calls;

        @Override
        public synchronized void deliver(final Alert alert) throws IOException {
            calls++;
            if (down) {
                throw new TemporaryDeliveryException("connection refused");
            }
            if (refused.contains(alert.id())) {
                throw new PermanentDeliveryException("HTTP 400 mapper_parsing_exception");
            }
            accepted.add(alert.id());
        }

        synchronized List<String> accepted() {
            return List.copyOf(accepted);
        }
    }

    private static Alert alert(final int n) {
        return new Alert("a" + n, TIME + n, "agent_shell_spawned", "Shell spawned", Priority.NOTICE, "syscall",
                "sandbox-host-3", List.of("T1059"), "shell " + n,
                Map.of("proc.cmdline", "bash -c cat ~/.ssh/id_ed25519", "proc.pid", 520L + n), "ci-runner", "s-8f2c",
                1, TIME + n, TIME + n);
    }

    private static List<String> ids(final int from, final int to) {
        final List<String> ids = new ArrayList<>();
        for (int n = from; n < to; n++) {
            ids.add("a" + n);
        }
        return ids;
    }

    private SpoolingSink sink(final Destination destination, final SpoolConfig config, final SinkMetrics metrics,
                              final List<Duration> waits) throws IOException {
        return new SpoolingSink("test", destination, config, metrics, waits::add, new Random(7), false);
    }

    private SpoolConfig config() {
        return SpoolConfig.of(dir).withBatching(3, Duration.ofHours(1))
                .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    @Test
    void alertsGoOutInBatchesWhenTheDestinationIsUp() throws IOException {
        final Destination destination = new Destination();
        try (SpoolingSink sink = sink(destination, config(), SinkMetrics.NONE, new ArrayList<>())) {
            for (int n = 0; n < 4; n++) {
                sink.deliver(alert(n));
            }
            assertThat(destination.accepted()).containsExactly("a0", "a1", "a2");
            assertThat(sink.pendingInBatch()).isEqualTo(1);
            sink.flush();
            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 4));
            assertThat(sink.delivered()).isEqualTo(4);
            assertThat(sink.spooled()).isZero();
        }
    }

    @Test
    void aDownDestinationIsRetriedWithBackoffThenSpooledAndDrainedInOrderWhenItReturns() throws IOException {
        final Destination destination = new Destination();
        final List<Duration> waits = new ArrayList<>();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config(), SinkMetrics.NONE, waits)) {
            for (int n = 0; n < 3; n++) {
                sink.deliver(alert(n));
            }
            // 3 attempts of the batch, 2 waits between them, then to the spool
            assertThat(waits).hasSize(2);
            assertThat(sink.retried()).isEqualTo(6);
            assertThat(sink.spooled()).isEqualTo(3);
            final int callsWhileDown = destination.calls;
            for (int n = 3; n < 7; n++) {
                sink.deliver(alert(n));
            }
            // while the spool is not empty, new alerts queue behind it without hammering the destination
            assertThat(destination.calls).isEqualTo(callsWhileDown);
            assertThat(sink.spoolDepth()).isEqualTo(7);

            destination.down = false;
            sink.flush();
            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 7));
            assertThat(sink.spoolDepth()).isZero();
            assertThat(sink.delivered()).isEqualTo(7);
            assertThat(sink.failed()).isZero();
            assertThat(Files.size(dir.resolve("spool.ndjson"))).isZero();
        }
    }

    @Test
    void anAlertDrainedFromTheSpoolCountsAsDeliveredOnlyOnceItHasLeftTheSpool() throws IOException {
        final Destination destination = new Destination();
        destination.down = true;
        final AtomicReference<SpoolingSink> watched = new AtomicReference<>();
        final List<Long> deliveredPlusSpooled = new ArrayList<>();
        final long[] deliveredSoFar = new long[1];
        final SinkMetrics metrics = new SinkMetrics() {
            @Override
            public void delivered(final long alerts) {
                deliveredSoFar[0] += alerts;
                // what a scrape would read at this instant: no alert in both counts
                deliveredPlusSpooled.add(deliveredSoFar[0] + watched.get().spoolDepth());
            }

            @Override
            public void retried(final long alerts) {
            }

            @Override
            public void spooled(final long alerts) {
            }

            @Override
            public void failed(final long alerts) {
            }

            @Override
            public void spoolDepth(final long alerts) {
            }
        };
        try (SpoolingSink sink = sink(destination, config(), metrics, new ArrayList<>())) {
            watched.set(sink);
            for (int n = 0; n < 7; n++) {
                sink.deliver(alert(n));
            }
            assertThat(sink.spoolDepth()).isEqualTo(7);

            destination.down = false;
            sink.flush();

            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 7));
            assertThat(deliveredPlusSpooled).isNotEmpty().containsOnly(7L);
        }
    }

    @Test
    void deliverNeverWaitsOnAStuckDestinationAndPastTheMemoryBoundQueuesOnDiskLosingNothing() throws Exception {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> accepted = new CopyOnWriteArrayList<>();
        // the first request hangs until the test lets it go, as a destination that accepts and never answers
        final AlertSink stuck = alert -> {
            entered.countDown();
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TemporaryDeliveryException("interrupted");
            }
            accepted.add(alert.id());
        };
        final int total = SpoolingSink.MAX_IN_MEMORY + 5;
        try (SpoolingSink sink = new SpoolingSink("stuck", stuck, SpoolConfig.of(dir).withBatching(500, Duration.ZERO),
                SinkMetrics.NONE)) {
            // a hang guard only: with the delivery on the caller's thread this would never return
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                sink.deliver(alert(0));
                assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
                for (int n = 1; n < total; n++) {
                    sink.deliver(alert(n));
                }
            });
            assertThat(accepted).isEmpty();
            // more than the in-memory bound waited behind the stuck request: they went to the spool, in order
            assertThat(sink.spoolDepth()).isEqualTo(SpoolingSink.MAX_IN_MEMORY + 1);
            assertThat(sink.pendingInBatch()).isEqualTo(total - 1 - (SpoolingSink.MAX_IN_MEMORY + 1));

            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= total);
            assertThat(accepted).containsExactlyElementsOf(ids(0, total));
            assertThat(sink.delivered()).isEqualTo(total);
            assertThat(sink.failed()).isZero();
            assertThat(sink.spoolDepth()).isZero();
        }
    }

    @Test
    void backoffDoublesFromTheInitialWaitWithEqualJitterAndIsCapped() throws IOException {
        try (SpoolingSink sink = sink(new Destination(), config(), SinkMetrics.NONE, new ArrayList<>())) {
            for (int attempt = 1; attempt <= 8; attempt++) {
                final long full = Math.min(100L << (attempt - 1), 2000L);
                assertThat(sink.backoff(attempt).toMillis()).isBetween(full / 2, full);
            }
        }
    }

    @Test
    void theSpoolSurvivesARestartOfTheSinkAndDrainsWhenReopened() throws IOException {
        final Destination destination = new Destination();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config(), SinkMetrics.NONE, new ArrayList<>())) {
            for (int n = 0; n < 5; n++) {
                sink.deliver(alert(n));
            }
        }
        assertThat(Files.readAllLines(dir.resolve("spool.ndjson"))).hasSize(5);

        destination.down = false;
        final SpoolingSink reopened = new SpoolingSink("test", destination,
                config().withBatching(2, Duration.ofMillis(100)), SinkMetrics.NONE);
        try (reopened) {
            assertThat(reopened.spoolDepth()).isEqualTo(5);
            // the drain thread takes it from here, with nobody delivering or flushing
            await().atMost(Duration.ofSeconds(20)).until(() -> reopened.spoolDepth() == 0);
            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 5));
        }
    }

    @Test
    void aRefusedAlertIsDeadLetteredWithItsReasonNotRetried() throws IOException {
        final Destination destination = new Destination();
        destination.refused.add("a1");
        final List<Duration> waits = new ArrayList<>();
        try (SpoolingSink sink = sink(destination, config(), SinkMetrics.NONE, waits)) {
            for (int n = 0; n < 3; n++) {
                sink.deliver(alert(n));
            }
            assertThat(destination.accepted()).containsExactly("a0", "a2");
            assertThat(waits).isEmpty();
            assertThat(sink.failed()).isEqualTo(1);
            assertThat(sink.spooled()).isZero();
        }
        final List<String> dead = Files.readAllLines(dir.resolve("dead-letter.ndjson"));
        assertThat(dead).singleElement().asString().contains("\"reason\":\"refused: ").contains("mapper_parsing_exception")
                .contains("\"id\":\"a1\"");
    }

    @Test
    void aFullSpoolDeadLettersTheOverflowAndCountsItFailed() throws IOException {
        final Destination destination = new Destination();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config().withMaxSpooled(4).withRetries(1, Duration.ZERO,
                Duration.ZERO), SinkMetrics.NONE, new ArrayList<>())) {
            for (int n = 0; n < 6; n++) {
                sink.deliver(alert(n));
            }
            sink.flush();
            assertThat(sink.spoolDepth()).isEqualTo(4);
            assertThat(sink.failed()).isEqualTo(2);
            destination.down = false;
            sink.flush();
            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 4));
        }
        assertThat(Files.readAllLines(dir.resolve("dead-letter.ndjson"))).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("spool full (4 alerts)"));
    }

    @Test
    void aTornLastLineFromACrashIsDeadLetteredAndTheRestDrains() throws IOException {
        final Destination destination = new Destination();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config().withRetries(1, Duration.ZERO, Duration.ZERO),
                SinkMetrics.NONE, new ArrayList<>())) {
            for (int n = 0; n < 3; n++) {
                sink.deliver(alert(n));
            }
        }
        Files.writeString(dir.resolve("spool.ndjson"), "{\"time\":\"2026-11-22T10:0", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        destination.down = false;
        try (SpoolingSink sink = sink(destination, config(), SinkMetrics.NONE, new ArrayList<>())) {
            assertThat(sink.spoolDepth()).isEqualTo(3);
            assertThat(sink.failed()).isEqualTo(1);
            sink.flush();
            assertThat(destination.accepted()).containsExactlyElementsOf(ids(0, 3));
        }
        assertThat(Files.readString(dir.resolve("dead-letter.ndjson"))).contains("torn spool line");
    }

    @Test
    void anUnreadableLineInTheMiddleIsSkippedAndCounted() throws IOException {
        final Destination destination = new Destination();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config().withRetries(1, Duration.ZERO, Duration.ZERO),
                SinkMetrics.NONE, new ArrayList<>())) {
            sink.deliver(alert(0));
            sink.flush();
        }
        Files.writeString(dir.resolve("spool.ndjson"), "not json\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config().withRetries(1, Duration.ZERO, Duration.ZERO),
                SinkMetrics.NONE, new ArrayList<>())) {
            sink.deliver(alert(1));
            destination.down = false;
            sink.flush();
            assertThat(destination.accepted()).containsExactly("a0", "a1");
            assertThat(sink.failed()).isEqualTo(1);
            assertThat(sink.spoolDepth()).isZero();
        }
        assertThat(Files.readString(dir.resolve("dead-letter.ndjson"))).contains("\"raw\":\"not json\"");
    }

    @Test
    void countersAndSpoolDepthAreExportedPerSinkToPrometheus() throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final PrometheusSinkMetrics metrics = PrometheusSinkMetrics.register(registry);
        final Destination destination = new Destination();
        destination.down = true;
        try (SpoolingSink sink = sink(destination, config().withRetries(2, Duration.ZERO, Duration.ZERO),
                metrics.forSink("elasticsearch"), new ArrayList<>())) {
            for (int n = 0; n < 3; n++) {
                sink.deliver(alert(n));
            }
            assertThat(gauge(registry, "elasticsearch")).isEqualTo(3);
            destination.down = false;
            sink.flush();
            assertThat(gauge(registry, "elasticsearch")).isZero();
        }
        assertThat(counter(registry, "elasticsearch", "delivered")).isEqualTo(3);
        assertThat(counter(registry, "elasticsearch", "spooled")).isEqualTo(3);
        // one retry of the batch of 3, then one drain of the 3 from the spool
        assertThat(counter(registry, "elasticsearch", "retried")).isEqualTo(6);
        assertThat(counter(registry, "elasticsearch", "failed")).isZero();
    }

    static double counter(final PrometheusRegistry registry, final String sink, final String outcome) {
        for (final MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot instanceof CounterSnapshot counters
                    && snapshot.getMetadata().getName().equals(PrometheusSinkMetrics.DELIVERIES)) {
                return counters.getDataPoints().stream()
                        .filter(p -> sink.equals(p.getLabels().get("sink")) && outcome.equals(p.getLabels().get("outcome")))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        return 0;
    }

    static double gauge(final PrometheusRegistry registry, final String sink) {
        for (final MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot instanceof GaugeSnapshot gauges
                    && snapshot.getMetadata().getName().equals(PrometheusSinkMetrics.SPOOL_DEPTH)) {
                return gauges.getDataPoints().stream().filter(p -> sink.equals(p.getLabels().get("sink")))
                        .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).sum();
            }
        }
        return -1;
    }
}
