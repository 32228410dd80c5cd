package dev.peregrine.alerting.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeduplicatingSinkTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_795_342_562L * SECOND;

    private static Alert alert(final String ruleId, final String session, final long time) {
        return alert(ruleId, session, time, Map.of());
    }

    private static Alert alert(final String ruleId, final String session, final long time,
                               final Map<String, Object> fields) {
        return new Alert(Alert.deterministicId(ruleId, session, time), time, ruleId, "Rule " + ruleId,
                Priority.WARNING, "agent", "h", List.of("t"), "out", fields, "ci-runner", session, 1, time, time);
    }

    private static final class Recording implements AlertSink {
        final List<Alert> delivered = new ArrayList<>();
        int flushes;
        boolean closed;

        @Override
        public void deliver(final Alert alert) {
            delivered.add(alert);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void thousandIdenticalAlertsInOneWindowGiveOneAlertThenSummariesEndingAtCount1000() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out);

        for (int i = 0; i < 1000; i++) {
            dedup.deliver(alert("denied_burst", "s-1", T0 + i * 10_000_000L)); // 10 s of alerts, 10 ms apart
        }
        // the first goes out at once; 999 repeats give a summary at every 100th repeat
        assertThat(out.delivered).hasSize(10);
        final String id = Alert.deterministicId("denied_burst", "ci-runner\u0000s-1", T0);
        assertThat(out.delivered.get(0).count()).isEqualTo(1);
        assertThat(out.delivered).allSatisfy(a -> assertThat(a.id()).isEqualTo(id));
        assertThat(out.delivered).extracting(Alert::count)
                .containsExactly(1L, 101L, 201L, 301L, 401L, 501L, 601L, 701L, 801L, 901L);

        dedup.flush();

        assertThat(out.delivered).hasSize(11);
        final Alert last = out.delivered.get(10);
        assertThat(last.id()).isEqualTo(id);
        assertThat(last.count()).isEqualTo(1000);
        assertThat(last.firstSeenNanos()).isEqualTo(T0);
        assertThat(last.lastSeenNanos()).isEqualTo(T0 + 999 * 10_000_000L);
        assertThat(out.flushes).isEqualTo(1);
        assertThat(dedup.alertsIn()).isEqualTo(1000);
        assertThat(dedup.suppressed()).isEqualTo(999);
        assertThat(dedup.delivered()).isEqualTo(11);

        // nothing new since the flush: the window end adds no duplicate summary
        dedup.advanceTo(T0 + 61 * SECOND);
        assertThat(out.delivered).hasSize(11);
        assertThat(dedup.openWindows()).isZero();
    }

    @Test
    void windowEndInEventTimeEmitsTheFinalSummary() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults().withSummaryEvery(1_000_000));

        for (int i = 0; i < 1000; i++) {
            dedup.deliver(alert("denied_burst", "s-1", T0 + i));
        }
        assertThat(out.delivered).extracting(Alert::count).containsExactly(1L);

        dedup.advanceTo(T0 + 60 * SECOND - 1);
        assertThat(out.delivered).hasSize(1);
        dedup.advanceTo(T0 + 60 * SECOND);

        assertThat(out.delivered).extracting(Alert::count).containsExactly(1L, 1000L);
        assertThat(out.delivered.get(1).id()).isEqualTo(out.delivered.get(0).id());
        assertThat(out.delivered.get(1).lastSeenNanos()).isEqualTo(T0 + 999);
        assertThat(dedup.openWindows()).isZero();
    }

    @Test
    void lateAlertsJoinTheirOpenWindowAndTimeNeverRunsBackwards() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults().withSummaryEvery(1_000));

        dedup.deliver(alert("r", "s-1", T0 + 10 * SECOND));
        dedup.deliver(alert("r", "s-1", T0)); // arrived late, still the same window
        dedup.advanceTo(T0 + 70 * SECOND - 1);
        dedup.advanceTo(T0); // going back closes nothing and reopens nothing
        assertThat(out.delivered).extracting(Alert::count).containsExactly(1L);
        dedup.advanceTo(T0 + 70 * SECOND);

        assertThat(out.delivered).extracting(Alert::count).containsExactly(1L, 2L);
        // last_seen never moves backwards because of a late alert
        assertThat(out.delivered.get(1).lastSeenNanos()).isEqualTo(T0 + 10 * SECOND);
    }

    @Test
    void countsOfAggregatedAlertsAddUp() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out);
        final Alert burst = alert("denied_burst", "s-1", T0);
        final Alert twelve = new Alert(burst.id(), T0, burst.ruleId(), burst.rule(), burst.priority(), burst.source(),
                burst.hostname(), burst.tags(), burst.output(), burst.outputFields(), burst.agent(), burst.session(),
                12, T0 - SECOND, T0);

        dedup.deliver(twelve);
        dedup.deliver(twelve);
        dedup.close();

        assertThat(out.delivered).extracting(Alert::count).containsExactly(12L, 24L);
        assertThat(out.delivered.get(1).firstSeenNanos()).isEqualTo(T0 - SECOND);
    }

    @Test
    void differentSessionsAreNotMerged() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out);

        dedup.deliver(alert("denied_burst", "s-1", T0));
        dedup.deliver(alert("denied_burst", "s-2", T0 + 1));
        dedup.deliver(alert("denied_burst", "s-1", T0 + 2));
        dedup.deliver(alert("volume_spike", "s-1", T0 + 3));
        dedup.close();

        assertThat(out.delivered).extracting(Alert::ruleId, Alert::session, Alert::count).containsExactly(
                tuple("denied_burst", "s-1", 1L),
                tuple("denied_burst", "s-2", 1L),
                tuple("volume_spike", "s-1", 1L),
                tuple("denied_burst", "s-1", 2L));
        // three windows, three ids; the summary of s-1 reuses its window's id
        assertThat(out.delivered.subList(0, 3)).extracting(Alert::id).doesNotHaveDuplicates();
        assertThat(out.delivered.get(3).id()).isEqualTo(out.delivered.get(0).id());
        assertThat(out.closed).isTrue();
    }

    @Test
    void extraKeyFieldsOfARuleSplitItsWindows() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults()
                .withExtraKeyFields("new_resource", List.of("fd.name"))
                .withExtraKeyFields("denied_burst", List.of()));

        dedup.deliver(alert("new_resource", "s-1", T0, Map.of("fd.name", "/etc/passwd", "n", 1)));
        dedup.deliver(alert("new_resource", "s-1", T0 + 1, Map.of("fd.name", "/etc/shadow", "n", 2)));
        dedup.deliver(alert("new_resource", "s-1", T0 + 2, Map.of("fd.name", "/etc/passwd", "n", 3)));
        // a rule described with no extra fields is grouped by agent + session only
        dedup.deliver(alert("denied_burst", "s-1", T0, Map.of("fd.name", "/a")));
        dedup.deliver(alert("denied_burst", "s-1", T0 + 1, Map.of("fd.name", "/b")));
        // a rule nobody described merges only alerts that say the same thing
        dedup.deliver(alert("sensor_silent", "s-1", T0, Map.of("fd.name", "/c")));
        dedup.deliver(alert("sensor_silent", "s-1", T0 + 1, Map.of("fd.name", "/d")));
        dedup.deliver(alert("sensor_silent", "s-1", T0 + 2, Map.of("fd.name", "/c")));

        assertThat(out.delivered).extracting(a -> a.outputFields().get("fd.name"))
                .containsExactly("/etc/passwd", "/etc/shadow", "/a", "/c", "/d");
        assertThat(dedup.suppressed()).isEqualTo(3);
    }

    @Test
    void aNewWindowAfterExpiryStartsAtCountOneWithANewId() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out,
                DedupConfig.defaults().withWindow(Duration.ofSeconds(10)));

        dedup.deliver(alert("denied_burst", "s-1", T0));
        dedup.deliver(alert("denied_burst", "s-1", T0 + 5 * SECOND));
        dedup.deliver(alert("denied_burst", "s-1", T0 + 10 * SECOND)); // exactly at the end: a new window

        assertThat(out.delivered).extracting(Alert::count).containsExactly(1L, 2L, 1L);
        final Alert first = out.delivered.get(0);
        final Alert summary = out.delivered.get(1);
        final Alert next = out.delivered.get(2);
        assertThat(summary.id()).isEqualTo(first.id());
        assertThat(summary.lastSeenNanos()).isEqualTo(T0 + 5 * SECOND);
        assertThat(next.id()).isNotEqualTo(first.id())
                .isEqualTo(Alert.deterministicId("denied_burst", "ci-runner\u0000s-1", T0 + 10 * SECOND));
        assertThat(next.firstSeenNanos()).isEqualTo(T0 + 10 * SECOND);
    }

    @Test
    void evictionOfTheOldestKeyEmitsItsSummaryFirst() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults().withMaxOpenKeys(2));

        dedup.deliver(alert("r", "s-1", T0));
        dedup.deliver(alert("r", "s-1", T0 + 1));
        dedup.deliver(alert("r", "s-1", T0 + 2));
        dedup.deliver(alert("r", "s-2", T0 + 3));
        dedup.deliver(alert("r", "s-3", T0 + 4)); // third key: s-1 (oldest) is summarized and evicted

        assertThat(out.delivered).extracting(Alert::session, Alert::count).containsExactly(
                tuple("s-1", 1L),
                tuple("s-2", 1L),
                tuple("s-1", 3L),
                tuple("s-3", 1L));
        assertThat(dedup.evicted()).isEqualTo(1);
        assertThat(dedup.openWindows()).isEqualTo(2);

        // s-2 had no repeats: evicting it sends nothing, s-1 comes back as a new window
        dedup.deliver(alert("r", "s-1", T0 + 5));
        assertThat(out.delivered).hasSize(5);
        assertThat(out.delivered.get(4).id()).isNotEqualTo(out.delivered.get(0).id());
    }

    @Test
    void sameInputGivesTheSameOutput() throws IOException {
        assertThat(run()).isEqualTo(run());
    }

    @Test
    void everyAlertIsCountedInTheLastDeliveredAlertOfItsWindow() throws IOException {
        // out-of-order times, evictions, window ends and intermediate summaries all at once
        final Map<String, Long> lastCountById = new LinkedHashMap<>();
        for (final Alert delivered : run()) {
            lastCountById.put(delivered.id(), delivered.count());
        }

        assertThat(lastCountById.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(500);
    }

    private static List<Alert> run() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, new DedupConfig(Duration.ofSeconds(5), 3, 4,
                Map.of()));
        for (int i = 0; i < 500; i++) {
            // a spread of keys and times, some out of order
            final long time = T0 + (i * 7919L % 600) * 50_000_000L;
            dedup.deliver(alert("r" + i % 3, "s-" + i % 7, time));
        }
        dedup.close();
        return out.delivered;
    }

    @Test
    void aFailingDownstreamStillGetsEverySummaryTriedAndTheFailureReported() throws IOException {
        final List<Alert> delivered = new ArrayList<>();
        final AlertSink flaky = alert -> {
            if (alert.session().equals("s-1")) {
                throw new IOException("down");
            }
            delivered.add(alert);
        };
        final DeduplicatingSink dedup = new DeduplicatingSink(flaky);
        assertThatThrownBy(() -> dedup.deliver(alert("r", "s-1", T0))).hasMessage("down");
        dedup.deliver(alert("r", "s-1", T0 + 1)); // absorbed: the window is open even though delivery failed
        dedup.deliver(alert("r", "s-2", T0 + 2));
        dedup.deliver(alert("r", "s-2", T0 + 3));

        assertThatThrownBy(dedup::flush).hasMessage("down");
        assertThat(delivered).extracting(Alert::session, Alert::count).containsExactly(
                tuple("s-2", 1L),
                tuple("s-2", 2L));
        assertThat(dedup.delivered()).isEqualTo(2);
        assertThat(dedup.summaries()).isEqualTo(2);
    }

    @Test
    void theObserverSeesEveryAbsorbedRepeatAndEverySummaryAsTheyHappen() throws IOException {
        final Recording out = new Recording();
        final List<String> seen = new ArrayList<>();
        final DedupObserver observer = new DedupObserver() {
            @Override
            public void suppressed(final Alert repeat) {
                seen.add("suppressed " + repeat.ruleId());
            }

            @Override
            public void summarized(final Alert summary) {
                seen.add("summary " + summary.ruleId() + " count=" + summary.count());
            }
        };
        final DeduplicatingSink dedup = new DeduplicatingSink(out,
                DedupConfig.defaults().withSummaryEvery(2), observer);

        for (int i = 0; i < 4; i++) {
            dedup.deliver(alert("denied_burst", "s-1", T0 + i * SECOND));
        }
        dedup.deliver(alert("other", "s-1", T0));
        dedup.close();

        assertThat(seen).containsExactly("suppressed denied_burst", "suppressed denied_burst",
                "summary denied_burst count=3", "suppressed denied_burst", "summary denied_burst count=4");
        assertThat(out.delivered).hasSize(4);
    }

    @Test
    void withAGlobalClockASessionAheadEndsAnotherSessionsWindow() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults(), DedupObserver.NONE,
                DeduplicatingSink.Clock.GLOBAL);

        dedup.deliver(alert("r", "s-1", T0));
        dedup.deliver(alert("r", "s-2", T0 + 90 * SECOND)); // one ordered stream: s-1's window is over
        dedup.deliver(alert("r", "s-1", T0 + 30 * SECOND));

        assertThat(out.delivered).extracting(Alert::session, Alert::timeNanos)
                .containsExactly(tuple("s-1", T0), tuple("s-2", T0 + 90 * SECOND), tuple("s-1", T0 + 30 * SECOND));
    }

    @Test
    void withAClockPerSessionOnlyASessionsOwnAlertsEndItsWindows() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults(), DedupObserver.NONE,
                DeduplicatingSink.Clock.PER_SESSION);

        dedup.deliver(alert("r", "s-1", T0));
        dedup.deliver(alert("r", "s-2", T0 + 90 * SECOND)); // another partition, ahead in event time
        dedup.deliver(alert("r", "s-1", T0 + 30 * SECOND)); // still inside s-1's window: absorbed
        assertThat(out.delivered).extracting(Alert::session).containsExactly("s-1", "s-2");
        assertThat(dedup.suppressed()).isEqualTo(1);

        dedup.deliver(alert("r", "s-1", T0 + 60 * SECOND)); // s-1's own time ends its window
        assertThat(out.delivered).extracting(Alert::session, Alert::count, Alert::timeNanos).containsExactly(
                tuple("s-1", 1L, T0), tuple("s-2", 1L, T0 + 90 * SECOND), tuple("s-1", 2L, T0),
                tuple("s-1", 1L, T0 + 60 * SECOND));
        assertThat(out.delivered.get(2).id()).isEqualTo(out.delivered.get(0).id());
        assertThat(out.delivered.get(3).id()).isNotEqualTo(out.delivered.get(0).id());
    }

    @Test
    void withAClockPerSessionAdvanceToStillEndsEveryWindow() throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults(), DedupObserver.NONE,
                DeduplicatingSink.Clock.PER_SESSION);

        dedup.deliver(alert("r", "s-1", T0));
        dedup.deliver(alert("r", "s-1", T0 + SECOND));
        dedup.deliver(alert("r", "s-2", T0 + 10 * SECOND));
        dedup.deliver(alert("r", "s-2", T0 + 11 * SECOND));
        dedup.advanceTo(T0 + 70 * SECOND);

        assertThat(out.delivered).extracting(Alert::session, Alert::count)
                .containsExactly(tuple("s-1", 1L), tuple("s-2", 1L), tuple("s-1", 2L), tuple("s-2", 2L));
        assertThat(dedup.openWindows()).isZero();
    }

    @Test
    void aClockPerSessionGivesTheSameWindowsWhateverOrderTheSessionsInterleaveIn() throws IOException {
        final List<Alert> first = new ArrayList<>();
        final List<Alert> second = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            first.add(alert("r", "s-1", T0 + i * 7 * SECOND));
            second.add(alert("r", "s-2", T0 + i * 3 * SECOND));
        }
        final List<Alert> oneThenTwo = new ArrayList<>(first);
        oneThenTwo.addAll(second);
        final List<Alert> twoThenOne = new ArrayList<>(second);
        twoThenOne.addAll(first);

        assertThat(perSessionOutput(twoThenOne)).containsExactlyInAnyOrderElementsOf(perSessionOutput(oneThenTwo));
    }

    private static List<Alert> perSessionOutput(final List<Alert> in) throws IOException {
        final Recording out = new Recording();
        final DeduplicatingSink dedup = new DeduplicatingSink(out, DedupConfig.defaults(), DedupObserver.NONE,
                DeduplicatingSink.Clock.PER_SESSION);
        for (final Alert alert : in) {
            dedup.deliver(alert);
        }
        dedup.close();
        return out.delivered;
    }
}
