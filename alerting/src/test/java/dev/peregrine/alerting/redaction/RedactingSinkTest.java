package dev.peregrine.alerting.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sink wrapper: counts what it masked, passes clean alerts untouched, fails closed. */
class RedactingSinkTest {

    /** Keeps what it is given. */
    private static final class Kept implements AlertSink {
        final List<Alert> alerts = new ArrayList<>();

        @Override
        public void deliver(final Alert alert) {
            alerts.add(alert);
        }
    }

    @Test
    void secretsAreCountedByThePatternThatMaskedThem() throws Exception {
        final Kept kept = new Kept();
        final RedactingSink sink = new RedactingSink(kept, Redactor.withDefaults());
        final FakeSecrets.Case aws = FakeSecrets.ALL.get(0);
        final Alert clean = FakeSecrets.alertCarrying(new FakeSecrets.Case("none", "make test", "make test",
                List.of()), 1);

        sink.deliver(FakeSecrets.alertCarrying(aws, 0));
        sink.deliver(clean);

        assertThat(sink.alertsRedacted()).isEqualTo(1);
        assertThat(sink.maskedByPattern()).containsEntry("aws_access_key_id", 4L).containsEntry("jwt", 0L);
        assertThat(kept.alerts.get(0).outputFields()).containsEntry("proc.cmdline", aws.redacted());
        assertThat(kept.alerts.get(1)).isSameAs(clean);
    }

    @Test
    void anAlertWhoseRedactionFailsGoesOutFullyMaskedAndIsCounted() throws Exception {
        final Kept kept = new Kept();
        // a backtracking group repeated over a long text overflows the regex engine's stack
        final RedactingSink sink = new RedactingSink(kept, new Redactor(List.of(
                RedactionPattern.of("runaway", "(?:a|b)+c", 0, List.of()))));
        final Alert alert = FakeSecrets.alertCarrying(new FakeSecrets.Case("runaway", "ab".repeat(200_000),
                "", List.of()), 3);

        sink.deliver(alert);

        assertThat(sink.failures()).isEqualTo(1);
        assertThat(kept.alerts).hasSize(1);
        final Alert delivered = kept.alerts.get(0);
        assertThat(delivered.id()).isEqualTo(alert.id());
        assertThat(delivered.ruleId()).isEqualTo(alert.ruleId());
        assertThat(delivered.output()).isEqualTo(Redactor.MASK);
        assertThat(delivered.outputFields()).containsEntry("proc.cmdline", Redactor.MASK)
                .containsEntry("agent.id", Redactor.MASK).containsEntry("proc.pid", 4242L);
    }
}
