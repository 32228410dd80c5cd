package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkSinksTest {

    private static final Path TRACE = Path.of("..", "rules", "src", "test", "resources", "traces",
            "agent_tool_call_denied", "attack.ndjson");

    private final List<String> posted = Collections.synchronizedList(new ArrayList<>());
    private HttpServer http;
    private DatagramSocket udp;

    @AfterEach
    void stopServers() {
        if (http != null) {
            http.stop(0);
        }
        if (udp != null) {
            udp.close();
        }
    }

    @Test
    void replayPostsEveryDeliveredAlertToAWebhookOnLoopback(@TempDir final Path dir) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        http.start();
        final String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";

        final CommandLineRun run = CommandLineRun.of("replay", "--webhook", url, "--spool-dir",
                dir.resolve("spool").toString(), "--dead-letter", dir.resolve("dl").toString(), TRACE.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // delivery is synchronous, so every alert printed was posted before replay returned
        assertThat(posted).hasSameSizeAs(run.stdout().lines().toList()).isNotEmpty();
        assertThat(posted).allSatisfy(body -> assertThat(body).startsWith("{\"time\":")
                .contains("\"rule_id\":\"agent_tool_call_denied\""));
    }

    @Test
    void replaySendsCefOverUdpSyslog(@TempDir final Path dir) throws IOException {
        udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        udp.setSoTimeout(5000);

        final CommandLineRun run = CommandLineRun.of("replay", "--syslog", "udp://127.0.0.1:" + udp.getLocalPort(),
                "--spool-dir", dir.resolve("spool").toString(), "--dead-letter", dir.resolve("dl").toString(),
                TRACE.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        udp.receive(packet);
        final String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        assertThat(message).matches("<\\d+>1 .*").contains("CEF:0|Peregrine|Peregrine|")
                .contains("|agent_tool_call_denied|Agent tool call denied|");
    }

    @Test
    void aWebhookThatIsNotAUrlIsAUsageError() {
        final CommandLineRun run = CommandLineRun.of("replay", "--webhook", "ftp://x", TRACE.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("--webhook ftp://x must be an http:// or https:// URL");
    }

    @Test
    void alertsForAnElasticsearchThatIsDownWaitInItsSpoolAndReplayStillSucceeds(@TempDir final Path dir)
            throws IOException {
        final int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        final CommandLineRun run = CommandLineRun.of("replay", "--elasticsearch", "http://127.0.0.1:" + closedPort,
                "--spool-dir", dir.resolve("spool").toString(), "--dead-letter", dir.resolve("dl").toString(),
                TRACE.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        final List<String> printed = run.stdout().lines().toList();
        assertThat(printed).isNotEmpty();
        final String spool = Files.readString(dir.resolve("spool/elasticsearch/spool.ndjson"));
        assertThat(printed).allSatisfy(alert -> assertThat(spool)
                .contains(alert.replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1")));
    }

    @Test
    void anElasticsearchAddressThatIsNotHttpIsAUsageError() {
        final CommandLineRun run = CommandLineRun.of("replay", "--elasticsearch", "es.internal:9200", TRACE.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("--elasticsearch es.internal:9200 must be an http:// or https:// URL");
    }
}
