package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.app.config.TestCertificates;
import dev.peregrine.app.config.TlsIdentity;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Both hooks ({@code peregrine hook} and the sh script) reach a Peregrine that serves HTTPS with a
 * self-signed certificate once told which CA to trust ({@code PEREGRINE_CA_FILE}); without it the
 * handshake fails and the payload is spooled, not lost.
 */
class HookOverTlsTest {

    private static final TokenBinding TOKEN = new TokenBinding("hook", "hook-token-0123456789", IdentityPattern.ANY);
    private static final String PAYLOAD = "{\"session_id\":\"sess-1\",\"cwd\":\"/workspace\",\"hook_event_name\":"
            + "\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"},\"tool_use_id\":\"toolu_1\"}";

    @TempDir
    Path dir;

    @Test
    void bothHooksReachAnHttpsPeregrineWithTheCaFileAndSpoolWithoutIt() throws Exception {
        final TestCertificates certificates = TestCertificates.generate(dir, "hook", "EC");
        final IngestServer ingest = new IngestServer(List.of(TOKEN), IngestLimits.DEFAULTS, violation -> { });
        final EndpointSecurity security = new EndpointSecurity(Optional.of(
                TlsIdentity.fromPem(certificates.certificate(), certificates.privateKey()).sslContext()),
                false, List.of(), event -> { });
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(), ingest, null,
                security)) {
            final Map<String, String> environment = new HashMap<>(Map.of(
                    "PEREGRINE_URL", "https://127.0.0.1:" + endpoint.port(), "PEREGRINE_TOKEN", TOKEN.token(),
                    "PEREGRINE_HOOK_SPOOL", dir.resolve("spool.ndjson").toString(), "HOME", dir.toString()));

            assertThat(jvmHook(environment)).isZero();
            assertThat(ingest.queued()).as("without the CA the certificate is not trusted").isZero();
            assertThat(dir.resolve("spool.ndjson")).content().contains("toolu_1");

            environment.put("PEREGRINE_CA_FILE", certificates.certificate().toString());
            assertThat(jvmHook(environment)).isZero();
            assertThat(ingest.queued()).as("this payload and the spooled one").isEqualTo(2);

            assertThat(shHook(environment)).isZero();
            assertThat(ingest.queued()).isEqualTo(3);
            assertThat(dir.resolve("spool.ndjson")).satisfiesAnyOf(
                    spool -> assertThat(spool).doesNotExist(), spool -> assertThat(spool).isEmptyFile());
        } finally {
            ingest.close();
        }
    }

    private static int jvmHook(final Map<String, String> environment) {
        final HookCommand command = new HookCommand();
        command.stdin = new ByteArrayInputStream(PAYLOAD.getBytes(StandardCharsets.UTF_8));
        command.clock = Clock.fixed(Instant.parse("2026-11-27T09:00:00Z"), ZoneOffset.UTC);
        command.environment = Map.copyOf(environment);
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(new StringWriter(), true));
        return commandLine.execute("--connect-timeout", "5000", "--timeout", "10000");
    }

    private int shHook(final Map<String, String> environment) throws Exception {
        final Path script = Files.write(dir.resolve(HookCommand.SCRIPT), HookCommand.script());
        final Path in = Files.writeString(dir.resolve("payload.json"), PAYLOAD);
        final ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), "--connect-timeout", "5000",
                "--timeout", "10000").redirectInput(in.toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        builder.environment().putAll(environment);
        final Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dir.resolve("err.txt")).content().doesNotContain("cannot reach");
        return process.exitValue();
    }
}
