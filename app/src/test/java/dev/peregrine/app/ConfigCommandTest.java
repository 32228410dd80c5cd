package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    @Test
    void checkAcceptsTheDocumentedExample() {
        final CommandLineRun run = CommandLineRun.of("config", "check", "../docs/peregrine.example.yaml");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("peregrine.example.yaml: OK (2 followed file(s), shipped rules, "
                + "3 alert destination(s) besides stdout)");
    }

    @Test
    void checkListsEveryProblemAndExitsTwo(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("peregrine.yaml");
        Files.writeString(file, "http:\n  prot: 1\nalerts:\n  stdout: maybe\n");

        final CommandLineRun run = CommandLineRun.of("config", "check", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr().lines()).containsExactly(
                file + ":2:3: http.prot: unknown key (did you mean 'port'?)",
                file + ":4:11: alerts.stdout: must be true or false, not 'maybe'");
    }

    @Test
    void runRefusesAnUnusableConfigurationBeforeReadingAnything(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("peregrine.yaml");
        Files.writeString(file, "inputs:\n  max_line_bytes: 12\n");

        final CommandLineRun run = CommandLineRun.of("run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains(file + ":2:19: inputs.max_line_bytes: must be between 1024 and 67108864, "
                + "not 12");
    }
}
