package dev.peregrine.alerting.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyslogCefSinkTest {

    private static final long TIME = 1_795_342_562_123_456_789L;
    private static final String TRICKY = "a|b=c\\d\nline2\r\nend";

    private static Alert trickyAlert(final Priority priority) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user.name", "alice=admin");
        fields.put("proc.name", "bash");
        fields.put("proc.pid", 4242L);
        fields.put("fd.name", "C:\\tmp\\x|y");
        fields.put("tool.outcome", "denied");
        fields.put("sandbox.id", "sbx-12");
        return new Alert("0123abcd", TIME, "shell_in_agent_tool", "Shell | pipe \\ back\nslash", priority,
                "syscall", "sandbox-host-3", List.of("T1059", "shell"), TRICKY, fields, "ci-runner", "s-8f2c", 7,
                TIME - 5_000_000_000L, TIME);
    }

    /** A received RFC 5424 message split into its header fields and MSG. */
    private record Syslog(String pri, String version, String timestamp, String hostname, String appName,
                          String procId, String msgId, String structuredData, String msg) {
        static Syslog parse(final String message) {
            final String[] parts = message.split(" ", 8);
            assertThat(parts).hasSize(8);
            final String priVersion = parts[0];
            assertThat(priVersion).matches("<\\d{1,3}>1");
            return new Syslog(priVersion.substring(1, priVersion.indexOf('>')), "1", parts[1], parts[2], parts[3],
                    parts[4], parts[5], parts[6], parts[7]);
        }
    }

    @Test
    void cefRoundTripsThroughAParserWrittenFromTheSpec() {
        final String line = new CefFormatter("0.1.0").format(trickyAlert(Priority.WARNING));

        final CefParser.Cef cef = CefParser.parse(line);

        assertThat(cef.header()).containsExactly("CEF:0", "Peregrine", "Peregrine", "0.1.0", "shell_in_agent_tool",
                "Shell | pipe \\ back slash", "6");
        assertThat(cef.extensions()).containsExactly(
                entry("rt", "1795342562123"),
                entry("start", "1795342557123"),
                entry("end", "1795342562123"),
                entry("cnt", "7"),
                entry("externalId", "0123abcd"),
                entry("cat", "syscall"),
                entry("dhost", "sandbox-host-3"),
                entry("suser", "alice=admin"),
                entry("sproc", "bash"),
                entry("spid", "4242"),
                entry("fname", "C:\\tmp\\x|y"),
                entry("act", "denied"),
                entry("cs1Label", "agent"),
                entry("cs1", "ci-runner"),
                entry("cs2Label", "session"),
                entry("cs2", "s-8f2c"),
                entry("cs3Label", "tags"),
                entry("cs3", "T1059,shell"),
                entry("cs4Label", "sandbox"),
                entry("cs4", "sbx-12"),
                entry("msg", TRICKY));
        assertThat(line).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void cefEscapesFollowTheSpec() {
        assertThat(CefFormatter.escapeHeader("a|b\\c")).isEqualTo("a\\|b\\\\c");
        assertThat(CefFormatter.escapeExtension("a=b\\c|d\ne\rf")).isEqualTo("a\\=b\\\\c|d\\ne\\rf");
        assertThat(CefFormatter.severityOf(Priority.EMERGENCY)).isEqualTo(10);
        assertThat(CefFormatter.severityOf(Priority.DEBUG)).isZero();
    }

    @Test
    void udpDatagramCarriesRfc5424FramedCef() throws IOException {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SyslogCefSink sink = new SyslogCefSink(SyslogConfig.of("127.0.0.1", receiver.getLocalPort(),
                     SyslogTransport.UDP, "0.1.0").withHostname("peregrine-1"))) {
            receiver.setSoTimeout(5_000);

            sink.deliver(trickyAlert(Priority.WARNING));

            final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
            receiver.receive(packet);
            final Syslog syslog = Syslog.parse(new String(packet.getData(), 0, packet.getLength(),
                    StandardCharsets.UTF_8));
            assertThat(syslog.pri()).isEqualTo(Integer.toString(16 * 8 + 4)); // local0.warning
            assertThat(syslog.timestamp()).isEqualTo("2026-11-22T10:16:02.123456Z");
            assertThat(syslog.hostname()).isEqualTo("peregrine-1");
            assertThat(syslog.appName()).isEqualTo("peregrine");
            assertThat(syslog.procId()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(syslog.msgId()).isEqualTo("shell_in_agent_tool");
            assertThat(syslog.structuredData()).isEqualTo("-");
            final CefParser.Cef cef = CefParser.parse(syslog.msg());
            assertThat(cef.header().get(4)).isEqualTo("shell_in_agent_tool");
            assertThat(cef.extensions()).containsEntry("msg", TRICKY).containsEntry("fname", "C:\\tmp\\x|y")
                    .containsEntry("suser", "alice=admin");
            assertThat(sink.delivered()).isEqualTo(1);
        }
    }

    @Test
    void tcpUsesOctetCountingOnOneConnectionWithTheConfiguredFacility() throws Exception {
        try (TcpReceiver receiver = new TcpReceiver();
             SyslogCefSink sink = new SyslogCefSink(SyslogConfig.of("127.0.0.1", receiver.port(),
                     SyslogTransport.TCP, "0.1.0").withFacility(4))) {
            sink.deliver(trickyAlert(Priority.CRITICAL));
            sink.deliver(trickyAlert(Priority.DEBUG));

            final Syslog first = Syslog.parse(receiver.frames.poll(5, TimeUnit.SECONDS));
            final Syslog second = Syslog.parse(receiver.frames.poll(5, TimeUnit.SECONDS));
            assertThat(first.pri()).isEqualTo(Integer.toString(4 * 8 + 2)); // auth.crit
            assertThat(second.pri()).isEqualTo(Integer.toString(4 * 8 + 7)); // auth.debug
            assertThat(second.hostname()).isEqualTo("-");
            // the newline inside the output is escaped, so framing never depends on line breaks
            assertThat(CefParser.parse(first.msg()).extensions()).containsEntry("msg", TRICKY);
            assertThat(CefParser.parse(second.msg()).header().get(6)).isEqualTo("0");
            assertThat(receiver.connections).isEqualTo(1);
            assertThat(sink.delivered()).isEqualTo(2);
        }
    }

    @Test
    void aMessageTooLargeForOneDatagramIsAPermanentFailure() throws IOException {
        final Alert huge = new Alert("id", TIME, "r", "r", Priority.ERROR, "agent", "h", List.of(), "x".repeat(70_000),
                Map.of(), "a", "s", 1, TIME, TIME);
        try (SyslogCefSink sink = new SyslogCefSink(SyslogConfig.of("127.0.0.1", 514, SyslogTransport.UDP, "0.1.0"))) {
            assertThatThrownBy(() -> sink.deliver(huge)).isInstanceOf(PermanentDeliveryException.class)
                    .hasMessageContaining("use TCP");
            assertThat(sink.failed()).isEqualTo(1);
        }
    }

    @Test
    void tcpReceiverDownIsATemporaryFailureAndCounted() throws IOException {
        final int port;
        try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = unused.getLocalPort();
        }
        try (SyslogCefSink sink = new SyslogCefSink(SyslogConfig.of("127.0.0.1", port, SyslogTransport.TCP, "0.1.0"))) {
            assertThatThrownBy(() -> sink.deliver(trickyAlert(Priority.ERROR)))
                    .isInstanceOf(TemporaryDeliveryException.class).hasMessageContaining("syslog TCP 127.0.0.1:" + port);
            assertThat(sink.failed()).isEqualTo(1);
            assertThat(sink.delivered()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(SyslogTransport.class)
    void thousandIdenticalAlertsThroughDedupArriveAsOneAlertWhoseCountReaches1000(final SyslogTransport transport)
            throws Exception {
        final AlertStorm storm = AlertStorm.of(trickyAlert(Priority.WARNING));
        // sent after the storm on the same socket: everything received before it is everything the storm sent
        final Alert endOfStorm = new Alert("end-of-storm", TIME, "marker", "marker", Priority.DEBUG, "agent", "h",
                List.of(), "end", Map.of(), "a", "s", 1, TIME, TIME);
        final List<CefParser.Cef> storming = new ArrayList<>();
        try (Receiver receiver = transport == SyslogTransport.UDP ? new UdpReceiver() : new TcpReceiver()) {
            final SyslogCefSink syslog = new SyslogCefSink(SyslogConfig.of("127.0.0.1", receiver.port(), transport,
                    "0.1.0"));
            try (DeduplicatingSink dedup = storm.pourInto(syslog)) {
                assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
                syslog.deliver(endOfStorm);
            }
            CefParser.Cef cef;
            while (!(cef = CefParser.parse(Syslog.parse(receiver.next()).msg())).extensions().get("externalId")
                    .equals(endOfStorm.id())) {
                storming.add(cef);
            }
        }

        // the first alert at once, a summary every 100 repeats, the final one at flush: all one alert
        assertThat(storming).extracting(c -> c.extensions().get("externalId")).containsOnly(storm.expectedId());
        assertThat(storming).extracting(c -> c.header().get(4)).containsOnly("shell_in_agent_tool");
        assertThat(storming).extracting(c -> Long.parseLong(c.extensions().get("cnt")))
                .containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        final Map<String, String> last = storming.get(storming.size() - 1).extensions();
        assertThat(last).containsEntry("start", Long.toString(storm.firstSeenNanos() / 1_000_000))
                .containsEntry("end", Long.toString(storm.lastSeenNanos() / 1_000_000));
    }

    /** A syslog receiver on 127.0.0.1: one message (without transport framing) at a time. */
    private interface Receiver extends AutoCloseable {
        int port();

        /** The next message; fails the test when none arrives within 5 s. */
        String next() throws IOException, InterruptedException;

        @Override
        void close() throws IOException;
    }

    /** A UDP syslog receiver: one datagram is one message. */
    private static final class UdpReceiver implements Receiver {
        private final DatagramSocket socket = new DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

        UdpReceiver() throws IOException {
            socket.setSoTimeout(5_000);
        }

        @Override
        public int port() {
            return socket.getLocalPort();
        }

        @Override
        public String next() throws IOException {
            final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A TCP syslog receiver reading RFC 6587 octet-counted frames on a background thread. */
    private static final class TcpReceiver implements Receiver {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::serve, "tcp-syslog-receiver");
        volatile int connections;

        TcpReceiver() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public int port() {
            return server.getLocalPort();
        }

        @Override
        public String next() throws InterruptedException {
            final String frame = frames.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 5 s").isNotNull();
            return frame;
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    connections++;
                    String frame;
                    while ((frame = readFrame(in)) != null) {
                        frames.add(frame);
                    }
                } catch (final IOException closed) {
                    return;
                }
            }
        }

        /** MSG-LEN SP SYSLOG-MSG: digits, one space, then exactly MSG-LEN octets. */
        private static String readFrame(final InputStream in) throws IOException {
            int length = 0;
            int digits = 0;
            int c;
            while ((c = in.read()) != ' ') {
                if (c == -1 && digits == 0) {
                    return null;
                }
                if (c < '0' || c > '9') {
                    throw new IOException("bad octet count character " + c);
                }
                length = length * 10 + (c - '0');
                digits++;
            }
            final byte[] message = in.readNBytes(length);
            if (message.length != length) {
                throw new IOException("short frame");
            }
            return new String(message, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(5_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
