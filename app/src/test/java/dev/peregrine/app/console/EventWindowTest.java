package dev.peregrine.app.console;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventWindowTest {

    private static Event event(final String agent, final long time) {
        return Event.builder().time(time).set(AGENT_ID, agent).set(AGENT_SESSION, "s").extra("n", time).build();
    }

    private static Alert alertAt(final String agent, final long first, final long last) {
        return new Alert("id", last, "rule", "Rule", Priority.WARNING, "agent", "", List.of(), "out", Map.of(), agent,
                "s", 2, first, last);
    }

    @Test
    void theTimelineIsTheAgentsOwnEventsAroundTheAlertWithTheEvidenceBetween() {
        final EventWindow window = new EventWindow(100);
        for (long time = 1; time <= 10; time++) {
            window.onEvent(event("a", time), alert -> { });
            window.onEvent(event("b", time), alert -> { });
        }
        final EventWindow.Timeline timeline = window.around(alertAt("a", 5, 6), 2, 10);

        assertThat(timeline.before()).extracting(Event::timeNanos).containsExactly(3L, 4L);
        assertThat(timeline.evidence()).extracting(Event::timeNanos).containsExactly(5L, 6L);
        assertThat(timeline.after()).extracting(Event::timeNanos).containsExactly(7L, 8L);
        assertThat(timeline.evidence()).allSatisfy(event -> assertThat(event.get(AGENT_ID)).isEqualTo("a"));
    }

    @Test
    void pastItsCapacityTheOldestEventIsForgottenAndCounted() {
        final EventWindow window = new EventWindow(3);
        for (long time = 1; time <= 5; time++) {
            window.onEvent(event("a", time), alert -> { });
        }
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.evicted()).isEqualTo(2);
        assertThat(window.sessions()).containsExactly(new EventWindow.SessionActivity("a", "s", 3, 3, 5));
    }
}
