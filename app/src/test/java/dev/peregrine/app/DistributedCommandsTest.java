package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distributed commands refuse what they cannot run with, as usage errors naming the option. */
class DistributedCommandsTest {

    @TempDir
    Path dir;

    @Test
    void everyDistributedCommandNeedsTheCluster() {
        for (final String command : new String[] {"collector", "engine", "alerter"}) {
            final CommandLineRun run = CommandLineRun.of(command);

            assertThat(run.exitCode()).as(command).isEqualTo(ExitCode.USAGE);
            assertThat(run.stderr()).as(command).contains("--kafka");
        }
    }

    @Test
    void theCollectorRefusesAnUnknownKeyFieldOrCodecBeforeReadingAnything() {
        final CommandLineRun field = CommandLineRun.of("collector", "--kafka", "127.0.0.1:1", "--key-field",
                "agent.sesion", "--event-spool-dir", dir.resolve("spool").toString(), "-");
        final CommandLineRun codec = CommandLineRun.of("collector", "--kafka", "127.0.0.1:1", "--compression",
                "brotli", "--event-spool-dir", dir.resolve("spool").toString(), "-");

        assertThat(field.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(field.stderr()).contains("unknown key field agent.sesion");
        assertThat(codec.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(codec.stderr()).contains("compression brotli");
    }

    @Test
    void theEngineRefusesTopicsWithoutPartitions() {
        final CommandLineRun run = CommandLineRun.of("engine", "--kafka", "127.0.0.1:1", "--partitions", "0",
                "--state-dir", dir.resolve("state").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("--partitions");
    }
}
