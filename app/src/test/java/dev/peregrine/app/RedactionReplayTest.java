package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactionReplayTest {

    private static final String TOKEN = "ghp_R3dact1onT3stT0kenAbCdEfGhIjKlMnOp";

    @Test
    void aTokenInAnAgentsCommandLineReachesNoSinkButTheAlertStillDoes(@TempDir final Path dir) throws IOException {
        final Path trace = dir.resolve("trace.ndjson");
        Files.writeString(trace, "{\"evt.time\":\"2026-11-22T10:07:03.400Z\",\"evt.type\":\"execve\",\"agent.id\":\"ci-runner\","
                + "\"agent.session\":\"s-1\",\"proc.pid\":700,\"proc.ppid\":520,\"proc.name\":\"bash\",\"proc.exe\":\"/bin/bash\","
                + "\"proc.cmdline\":\"bash -c curl -sL -H 'Authorization: Bearer " + TOKEN
                + "' https://get.example.net/install.sh | sh\"}\n");
        final Path alertsFile = dir.resolve("alerts.ndjson");

        final CommandLineRun run = CommandLineRun.of("replay", "--alerts-file", alertsFile.toString(),
                "--dead-letter", dir.resolve("dl").toString(), trace.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // the shipped rule for credentials on command lines fires, and shows where the token was, not what
        assertThat(run.stdout()).contains("\"rule_id\":\"credential_in_cmdline\"", "Bearer ****")
                .doesNotContain(TOKEN);
        assertThat(Files.readString(alertsFile)).contains("credential_in_cmdline").doesNotContain(TOKEN);
    }
}
