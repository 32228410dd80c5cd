package dev.peregrine.app;

/** The process exit codes of spec §5. */
public final class ExitCode {
    /** Everything worked. */
    public static final int OK = 0;
    /** The input had findings or errors (rejected records, failing detectors or sinks). */
    public static final int INPUT_PROBLEMS = 1;
    /** Bad usage or configuration: unknown option, missing file, broken rule file. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
