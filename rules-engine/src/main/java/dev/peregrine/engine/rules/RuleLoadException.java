package dev.peregrine.engine.rules;

import java.util.List;

/** Rule files that could not be loaded; holds every error found across all files, in file order. */
public final class RuleLoadException extends Exception {

    private final List<RuleLoadError> errors;

    /** @param errors at least one error */
    public RuleLoadException(final List<RuleLoadError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /** Every error, in the order found. */
    public List<RuleLoadError> errors() {
        return errors;
    }

    private static String summary(final List<RuleLoadError> errors) {
        final StringBuilder text = new StringBuilder()
                .append(errors.size()).append(errors.size() == 1 ? " error" : " errors").append(" in rule files");
        for (final RuleLoadError error : errors) {
            text.append(System.lineSeparator()).append(error);
        }
        return text.toString();
    }
}
