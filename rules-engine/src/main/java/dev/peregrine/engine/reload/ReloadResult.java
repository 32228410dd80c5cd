package dev.peregrine.engine.reload;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What became of one reload.
 *
 * @param outcome     where it ended (or stands)
 * @param generation  the rule set's generation: 0 is the one the engine started with, each compiled
 *                    reload takes the next number; for a rejected reload, the generation whose rules stay:
 *                    the latest compiled one, running or about to run at the next event
 * @param rules       active per-event rules of the new set (0 when rejected)
 * @param cepRules    ids of its compiled cep items (empty when rejected)
 * @param problems    why it was rejected, one line each ({@code file:line:column: message}); empty otherwise
 * @param loadTime    how long loading and compiling took, off the engine thread
 */
public record ReloadResult(Outcome outcome, long generation, int rules, List<String> cepRules, List<String> problems,
                           Duration loadTime) {

    /** Where a reload ended. */
    public enum Outcome {
        /** Loaded and compiled; swapped in when the engine thread sees its next event or time tick. */
        COMPILED,
        /** Swapped in: events from now on meet the new rules. */
        APPLIED,
        /** Did not load or compile; the old rules keep running unchanged. */
        REJECTED,
        /** Compiled, but a newer reload was compiled before the engine swapped this one in; never ran. */
        SUPERSEDED
    }

    public ReloadResult {
        Objects.requireNonNull(outcome, "outcome");
        cepRules = List.copyOf(cepRules);
        problems = List.copyOf(problems);
        Objects.requireNonNull(loadTime, "loadTime");
    }

    /** Whether the old rules were kept because of a problem. */
    public boolean rejected() {
        return outcome == Outcome.REJECTED;
    }

    ReloadResult as(final Outcome newOutcome) {
        return new ReloadResult(newOutcome, generation, rules, cepRules, problems, loadTime);
    }
}
