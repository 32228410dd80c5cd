package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private static final String FALCO_RULES = Path.of("..", "rules-engine", "src", "test", "resources", "falco",
            "upstream", "falco_rules.yaml").toString();

    @TempDir
    Path out;

    @Test
    void aTinyBenchPrintsTheTableWithEveryStageAndKeepsItsFilesInOut() throws Exception {
        final StringWriter stdout = new StringWriter();
        final CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.setOut(new PrintWriter(stdout, true));
        commandLine.setErr(new PrintWriter(new StringWriter(), true));

        final int exitCode = commandLine.execute("--events", "2000", "--seed", "7", "--latency-rate", "1000",
                "--latency-duration", "1s", "--allowed-lateness", "0", "--falco-rules", FALCO_RULES, "--out", out.toString());

        final String table = stdout.toString();
        assertThat(exitCode).as(table).isZero();
        assertThat(table).contains("mix: 2,000 events", "Falco stable from")
                .containsPattern("[1-9]\\d* CEP statements")
                .containsPattern("(?m)^1 +parse only .*")
                .containsPattern("(?m)^2 +replay, all detections .* alerts")
                .containsPattern("(?m)^2a +replay, per-event rules only .*")
                .containsPattern("(?m)^3 +per-event rules, pre-parsed .* alerts; median of 5 passes")
                .containsPattern("(?m)^4 +Esper EPL filters, pre-built rows \\(25 conditions\\).* matches")
                .containsPattern("(?m)^4' +Peregrine, the same conditions as rules .*x Esper; [\\d,]+ matches")
                .containsPattern("(?m)^5 +ingest \\(HTTP\\) -> alert latency.* p50 .* ms, p99 .* ms.*allowed lateness 0 ms.*");
        assertThat(out.resolve("mix.ndjson")).exists();
        assertThat(Files.readAllLines(out.resolve("mix.ndjson"))).hasSize(2000);
        assertThat(out.resolve("alerts-replay.jsonl")).isNotEmptyFile();
    }

    @Test
    void anEventCountBelowOneIsAUsageError() {
        final StringWriter stderr = new StringWriter();
        final CommandLine commandLine = Peregrine.commandLine();
        final CommandLine bench = new CommandLine(new BenchCommand());
        bench.setErr(new PrintWriter(stderr, true));
        bench.setExecutionExceptionHandler(commandLine.getExecutionExceptionHandler());

        assertThat(bench.execute("--events", "0")).isEqualTo(ExitCode.USAGE);
        assertThat(stderr.toString()).contains("--events must be at least 1");
    }
}
