package dev.peregrine.engine.detect;

import java.util.List;
import java.util.stream.Collectors;

/** The {@code detections:} section has errors; carries all of them, so the user fixes them in one go. */
public final class DetectionSettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<DetectionSettingsError> errors;

    DetectionSettingsException(final List<DetectionSettingsError> errors) {
        super(errors.stream().map(DetectionSettingsError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in file order. */
    public List<DetectionSettingsError> errors() {
        return errors;
    }
}
