package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --format} takes the names users write, {@code claude-code} included, and names them all when it cannot. */
class FormatOptionTest {

    private static final Path SESSION = Path.of("..", "examples", "integrations", "claude-code", "session.ndjson");

    @Test
    void claudeCodeNamesTheHookPayloadFormat(@TempDir final Path dir) {
        final CommandLineRun told = CommandLineRun.of("replay", "--format", "claude-code", "--dead-letter",
                dir.resolve("dl").toString(), SESSION.toString());
        final CommandLineRun detected = CommandLineRun.of("replay", "--dead-letter", dir.resolve("dl").toString(),
                SESSION.toString());

        assertThat(told.exitCode()).as(told.stderr()).isZero();
        assertThat(told.stdout()).contains("flask-gpt-helper").isEqualTo(detected.stdout());
    }

    @Test
    void anUnknownFormatIsAUsageErrorListingTheFormats(@TempDir final Path dir) {
        final CommandLineRun run = CommandLineRun.of("replay", "--format", "syslog", "--dead-letter",
                dir.resolve("dl").toString(), SESSION.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("unknown input format 'syslog'", "tetragon, claude-code");
    }
}
