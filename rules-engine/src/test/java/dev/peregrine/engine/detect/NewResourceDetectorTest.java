package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewResourceDetectorTest {

    static final NewResourceSettings SETTINGS = new NewResourceSettings(true, Duration.ofHours(1), 3, 5000);

    @Test
    void nothingAlertsWhileLearning() {
        final NewResourceDetector detector = new NewResourceDetector(PerAgent.of(SETTINGS), new InMemoryStateStore());

        assertThat(Traces.replay(detector, "new_resource/learning_hour.ndjson")).isEmpty();
    }

    @Test
    void afterLearningEachFirstAccessAlertsOnce() {
        final NewResourceDetector detector = new NewResourceDetector(PerAgent.of(SETTINGS), new InMemoryStateStore());

        final List<Alert> alerts = Traces.replay(detector,
                "new_resource/learning_hour.ndjson", "new_resource/after_learning.ndjson");

        assertThat(alerts).extracting(a -> a.outputFields().get("resource")).containsExactly(
                "tool github git:fetch repos/acme/billing", "dir /root/.ssh", "host paste.example.net");
        assertThat(alerts.get(0).output()).isEqualTo("New resource for agent=ci-runner session=s-nr: first access to"
                + " tool github git:fetch repos/acme/billing (after 5 known resources learned since"
                + " 2026-11-24T09:00:00.000000000Z, learning 1h)");
    }

    @Test
    void atTheResourceLimitNothingNewIsLearnedOrAlerted() {
        final NewResourceSettings small = new NewResourceSettings(true, Duration.ofHours(1), 3, 5);
        final NewResourceDetector detector = new NewResourceDetector(PerAgent.of(small), new InMemoryStateStore());

        assertThat(Traces.replay(detector, "new_resource/learning_hour.ndjson", "new_resource/after_learning.ndjson"))
                .isEmpty();
    }

    @Test
    void toolResourcesAreCutToTheirPrefix() {
        assertThat(NewResourceDetector.prefix("repos/acme/api/branches/main", 3)).isEqualTo("repos/acme/api");
        assertThat(NewResourceDetector.prefix("/workspace/api/src/app.py", 2)).isEqualTo("/workspace/api");
        assertThat(NewResourceDetector.prefix("repos/acme", 3)).isEqualTo("repos/acme");
    }
}
