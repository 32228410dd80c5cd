package dev.peregrine.alerting.jsonl;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends alerts as Falco-compatible JSON lines to a file and rotates it by size, the way
 * logrotate names files: {@code alerts.ndjson} is live, {@code alerts.ndjson.1} the newest
 * rotated file, {@code alerts.ndjson.N} the oldest kept.
 *
 * <p>Rotation happens between lines, never inside one: before writing a line that would take the
 * live file past {@link Rotation#maxBytes()}, the live file is flushed, closed and renamed, so
 * every alert is whole in exactly one file and the files read oldest-to-newest in delivery order.
 * Restarting on an existing file continues it (its size counts toward the limit). Each alert is
 * flushed to the file as it is delivered.
 */
public final class RotatingJsonLinesSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(RotatingJsonLinesSink.class);

    private final AlertJson json = new AlertJson();
    private final Path file;
    private final Rotation rotation;
    private OutputStream out;
    private long size;
    private long rotations;
    private long deleted;

    private RotatingJsonLinesSink(final Path file, final Rotation rotation) throws IOException {
        this.file = file;
        this.rotation = rotation;
        open();
    }

    /** A sink appending to {@code file} (created, with its parents, when missing), rotated as {@code rotation} says. */
    public static RotatingJsonLinesSink toFile(final Path file, final Rotation rotation) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new RotatingJsonLinesSink(file, rotation);
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final byte[] line = (json.toJson(alert) + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + line.length > rotation.maxBytes()) {
            rotate();
        }
        out.write(line);
        size += line.length;
        // alerts are few next to events: flushing each keeps a tailing shipper (Filebeat, Vector)
        // current and leaves nothing in memory for a crash to take
        out.flush();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The live file. */
    public Path file() {
        return file;
    }

    /** The rotated file with number {@code n} (1 is the newest). */
    public Path rotated(final int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /** Rotations done since this sink was opened. */
    public long rotations() {
        return rotations;
    }

    /** Rotated files deleted because more than {@link Rotation#keep()} existed. */
    public long deleted() {
        return deleted;
    }

    private void open() throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        // everything written so far must be on disk in the file that is about to be renamed
        out.close();
        try {
            final Path oldest = rotated(rotation.keep());
            if (Files.deleteIfExists(oldest)) {
                deleted++;
                LOG.info("alerts file rotation: deleted {}, keeping {} rotated files", oldest, rotation.keep());
            }
            for (int n = rotation.keep() - 1; n >= 1; n--) {
                final Path from = rotated(n);
                if (Files.exists(from)) {
                    move(from, rotated(n + 1));
                }
            }
            move(file, rotated(1));
            rotations++;
        } finally {
            // after a failed rename the live file is reopened as it is: alerts keep landing somewhere,
            // and the next line tries the rotation again
            open();
        }
    }

    private static void move(final Path from, final Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final AtomicMoveNotSupportedException e) {
            // a file system without atomic renames still gets a whole file, only not in one step
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
