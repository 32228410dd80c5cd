package dev.peregrine.engine.reload;

import dev.peregrine.engine.rules.RuleLoadError;
import java.util.List;

/** Thrown by a rules supplier when the rule files do not load: every error, with where it is. */
public final class RulesRejected extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<RuleLoadError> errors;

    /** @param errors every problem found, at least one */
    public RulesRejected(final List<RuleLoadError> errors) {
        super(errors.size() + " error(s) in the rule files, first: " + (errors.isEmpty() ? "?" : errors.get(0)));
        this.errors = List.copyOf(errors);
    }

    /** The problems, each {@code file:line:column: message} when printed. */
    public List<RuleLoadError> errors() {
        return errors;
    }
}
