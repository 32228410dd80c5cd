package dev.peregrine.collector.deadletter;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.collector.event.Timestamps;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Appends {@link Rejection}s to a file, one JSON object per line, for an operator to inspect
 * and replay: {@code time} (of the rejection, RFC 3339 UTC), {@code source}, {@code line},
 * {@code reason} (its {@link Rejection.Reason#label() label}), {@code message}, {@code raw},
 * {@code raw_length}, {@code raw_sha256}, {@code truncated}, {@code hostname}.
 *
 * <p>Each record is handed to the operating system as it is appended: rejections are rare, and
 * one lost in a crash is an input nobody can account for. Thread-safe.
 */
public final class DeadLetterFile implements Closeable, Flushable {

    private final Path path;
    private final String hostname;
    private final Clock clock;
    private final JsonGenerator json;
    private boolean closed;

    /** Appends to {@code path} (created with its parent directories), stamped with this host's name. */
    public DeadLetterFile(final Path path) throws IOException {
        this(path, localHostname(), Clock.systemUTC());
    }

    /** Appends to {@code path}, stamping records with {@code hostname} and the time of {@code clock}. */
    public DeadLetterFile(final Path path, final String hostname, final Clock clock) throws IOException {
        this.path = Objects.requireNonNull(path, "path");
        this.hostname = Objects.requireNonNull(hostname, "hostname");
        this.clock = Objects.requireNonNull(clock, "clock");
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // No root separator: records end in '\n' as they are written, so the file is always whole lines.
        this.json = new JsonFactory().createGenerator(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), JsonEncoding.UTF8);
        json.setRootValueSeparator(null);
    }

    /** The file written to. */
    public Path path() {
        return path;
    }

    /** Appends one record. */
    public synchronized void append(final Rejection rejection) throws IOException {
        if (closed) {
            throw new IOException("dead-letter file " + path + " is closed");
        }
        final Instant now = clock.instant();
        json.writeStartObject();
        json.writeStringField("time", Timestamps.formatRfc3339(now.getEpochSecond() * 1_000_000_000L + now.getNano()));
        json.writeStringField("source", rejection.source());
        json.writeNumberField("line", rejection.line());
        json.writeStringField("reason", rejection.reason().label());
        json.writeStringField("message", rejection.message());
        json.writeStringField("raw", rejection.raw());
        json.writeNumberField("raw_length", rejection.rawLength());
        json.writeStringField("raw_sha256", rejection.rawSha256());
        json.writeBooleanField("truncated", rejection.truncated());
        json.writeStringField("hostname", hostname);
        json.writeEndObject();
        json.writeRaw('\n');
        json.flush();
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!closed) {
            json.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            json.close();
        }
    }

    /**
     * This host's name: {@code HOSTNAME} when set (containers set it, and it costs no lookup),
     * else what the resolver says, else {@code unknown}.
     */
    public static String localHostname() {
        final String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (final IOException e) {
            return "unknown";
        }
    }
}
