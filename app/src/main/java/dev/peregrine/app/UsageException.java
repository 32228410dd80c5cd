package dev.peregrine.app;

/** A problem with what the user asked for (missing file, broken rules); exits with {@link ExitCode#USAGE}. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(final String message) {
        super(message);
    }
}
