package dev.peregrine.alerting.syslog;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.TemporaryDeliveryException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends each alert as a CEF message in RFC 5424 syslog framing over UDP or TCP (RFC 6587 octet
 * counting). TCP keeps one connection open and reconnects once when a write fails; failures are
 * {@link TemporaryDeliveryException}s, so the pipeline retries or spools. A message too large
 * for one UDP datagram is a {@link PermanentDeliveryException}: resending cannot help (use TCP).
 *
 * <p>Not thread-safe: like every {@link AlertSink}, called from one thread at a time.
 */
public final class SyslogCefSink implements AlertSink {

    /** The largest UDP payload IPv4 can carry; a bigger message can never be sent as one datagram. */
    public static final int MAX_UDP_MESSAGE_BYTES = 65_507;

    private final SyslogConfig config;
    private final Rfc5424Formatter syslog;
    private final CefFormatter cef;
    private DatagramSocket udp;
    private Socket tcp;
    private OutputStream tcpOut;
    private long delivered;
    private long failed;

    /** A sink sending as {@code config} says; connections are opened on first delivery. */
    public SyslogCefSink(final SyslogConfig config) {
        this.config = config;
        this.syslog = new Rfc5424Formatter(config);
        this.cef = new CefFormatter(config.deviceVersion());
    }

    /** The complete syslog message (without transport framing) for {@code alert}. */
    public String message(final Alert alert) {
        return syslog.format(alert, cef.format(alert));
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final byte[] message = message(alert).getBytes(StandardCharsets.UTF_8);
        if (config.transport() == SyslogTransport.UDP && message.length > MAX_UDP_MESSAGE_BYTES) {
            failed++;
            throw new PermanentDeliveryException("syslog UDP " + config.host() + ':' + config.port() + ": message of "
                    + message.length + " bytes exceeds one datagram (" + MAX_UDP_MESSAGE_BYTES + "); use TCP");
        }
        try {
            if (config.transport() == SyslogTransport.UDP) {
                sendUdp(message);
            } else {
                sendTcp(message);
            }
            delivered++;
        } catch (final IOException e) {
            failed++;
            throw new TemporaryDeliveryException("syslog " + config.transport() + " " + config.host() + ':'
                    + config.port() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        if (tcpOut != null) {
            tcpOut.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
            udp = null;
        }
        closeTcp();
    }

    /** Alerts handed to the network. */
    public long delivered() {
        return delivered;
    }

    /** Alerts that could not be sent. */
    public long failed() {
        return failed;
    }

    private void sendUdp(final byte[] message) throws IOException {
        if (udp == null) {
            udp = new DatagramSocket();
        }
        // resolved per send so a receiver that moves (DNS) is followed
        udp.send(new DatagramPacket(message, message.length, new InetSocketAddress(config.host(), config.port())));
    }

    private void sendTcp(final byte[] message) throws IOException {
        final byte[] prefix = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
        final boolean reused = tcp != null;
        try {
            writeFrame(prefix, message);
        } catch (final IOException first) {
            closeTcp();
            if (!reused) {
                throw first;
            }
            // the receiver may have dropped an idle connection: one fresh attempt
            writeFrame(prefix, message);
        }
    }

    private void writeFrame(final byte[] prefix, final byte[] message) throws IOException {
        if (tcp == null) {
            final Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(config.host(), config.port()),
                        (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
                tcpOut = socket.getOutputStream();
            } catch (final IOException e) {
                socket.close();
                throw e;
            }
            tcp = socket;
        }
        // one write per frame: fewer, whole segments on the wire
        final byte[] frame = new byte[prefix.length + message.length];
        System.arraycopy(prefix, 0, frame, 0, prefix.length);
        System.arraycopy(message, 0, frame, prefix.length, message.length);
        tcpOut.write(frame);
        tcpOut.flush();
    }

    private void closeTcp() throws IOException {
        final Socket socket = tcp;
        tcp = null;
        tcpOut = null;
        if (socket != null) {
            socket.close();
        }
    }
}
