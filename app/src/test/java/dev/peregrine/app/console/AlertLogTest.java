package dev.peregrine.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLogTest {

    private static Alert alert(final String id, final long count) {
        return new Alert(id, 1, "rule", "Rule", Priority.WARNING, "agent", "h", List.of(), "out", Map.of(), "a", "s",
                count, 1, 1);
    }

    @Test
    void aSummaryUpdatesTheCountOfItsAlertInPlaceAndKeepsTheAcknowledgement() {
        final AlertLog log = new AlertLog(10);
        log.deliver(alert("first", 1));
        log.deliver(alert("second", 1));
        log.acknowledge("first", "analyst", Instant.EPOCH);
        log.deliver(alert("first", 7));

        assertThat(log.newestFirst()).extracting(entry -> entry.alert().id(), entry -> entry.alert().count())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("second", 1L),
                        org.assertj.core.groups.Tuple.tuple("first", 7L));
        assertThat(log.get("first").orElseThrow().ack()).isEqualTo(new AlertLog.Ack("analyst", Instant.EPOCH));
    }

    @Test
    void pastItsCapacityTheOldestAlertIsForgottenAndCounted() {
        final AlertLog log = new AlertLog(2);
        log.deliver(alert("one", 1));
        log.deliver(alert("two", 1));
        log.deliver(alert("three", 1));

        assertThat(log.newestFirst()).extracting(entry -> entry.alert().id()).containsExactly("three", "two");
        assertThat(log.evicted()).isEqualTo(1);
        assertThat(log.acknowledge("one", "analyst", Instant.EPOCH)).isEmpty();
    }

    @Test
    void pagesFollowEachOtherWithoutGapsOrRepeats() {
        final AlertLog log = new AlertLog(100);
        for (int i = 1; i <= 5; i++) {
            log.deliver(alert("a" + i, 1));
        }
        final AlertLog.Page first = log.page(entry -> true, null, 2);
        final AlertLog.Page second = log.page(entry -> true, first.nextCursor(), 2);
        final AlertLog.Page third = log.page(entry -> true, second.nextCursor(), 2);

        assertThat(first.entries()).extracting(entry -> entry.alert().id()).containsExactly("a5", "a4");
        assertThat(second.entries()).extracting(entry -> entry.alert().id()).containsExactly("a3", "a2");
        assertThat(third.entries()).extracting(entry -> entry.alert().id()).containsExactly("a1");
        assertThat(third.nextCursor()).isNull();
        assertThat(first.matched()).isEqualTo(5);
    }
}
