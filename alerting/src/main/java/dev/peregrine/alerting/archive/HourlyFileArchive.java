package dev.peregrine.alerting.archive;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives events to gzip NDJSON files, one per event-time hour (UTC):
 * {@code events-2026-11-27T15.ndjson.gz}, then {@code events-2026-11-27T15.part1.ndjson.gz},
 * {@code .part2} … when the hour outgrows {@link ArchiveConfig#maxBytesPerFile()} (named so that
 * a sorted listing puts an hour's first file before its parts).
 *
 * <p>A file is written under its name plus {@code .partial} and renamed only once its gzip
 * trailer is on disk, so every {@code *.ndjson.gz} is complete, valid gzip that a shipper can
 * send to a SIEM as soon as it appears. A crash leaves a {@code .partial} file: it is never
 * reused or deleted (its events are there up to the last {@link #flush()}, readable with
 * {@code zcat}, which then reports the missing end), it is counted and logged at start.
 *
 * <p>The current hour and the one before stay open, so events up to an hour late still join
 * their hour's file; an hour's file is completed when event time moves two hours on (by an event
 * or {@link #advanceTo}), or at {@link #close()}. An event later than that, or an hour reopened
 * after a restart, goes to the hour's next free part: files are never appended to once complete.
 *
 * <p>An event line holding line breaks would split into two records: raw CR/LF can only be
 * whitespace between JSON tokens, so they become spaces (counted as repaired). A blank line is
 * refused with a logged reason and counted; nothing is dropped without a trace.
 */
public final class HourlyFileArchive implements EventArchive {

    private static final Logger LOG = LoggerFactory.getLogger(HourlyFileArchive.class);
    private static final long HOUR_NANOS = 3_600_000_000_000L;
    private static final String PREFIX = "events-";
    private static final String SUFFIX = ".ndjson.gz";
    private static final String PARTIAL = ".partial";
    private static final Pattern NAME =
            Pattern.compile("events-(\\d{4,}-\\d{2}-\\d{2}T\\d{2})(?:\\.part(\\d+))?\\.ndjson\\.gz(\\.partial)?");
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH").withZone(ZoneOffset.UTC);

    /** One file being written; mutable, owned by this archive. */
    private static final class Part {
        final long hour;
        final Path partial;
        final Path complete;
        final FileOutputStream file;
        final GZIPOutputStream gzip;
        final OutputStream out;
        long bytes;
        long events;

        Part(final long hour, final Path complete) throws IOException {
            this.hour = hour;
            this.complete = complete;
            this.partial = complete.resolveSibling(complete.getFileName() + PARTIAL);
            this.file = new FileOutputStream(partial.toFile());
            try {
                // sync flush: what flush() pushed out can be inflated from the .partial file after a crash
                this.gzip = new GZIPOutputStream(file, 64 * 1024, true);
            } catch (final IOException e) {
                file.close();
                throw e;
            }
            this.out = new BufferedOutputStream(gzip, 64 * 1024);
        }
    }

    private final ArchiveConfig config;
    private final Map<Long, Part> open = new TreeMap<>();
    private long newestHour = Long.MIN_VALUE;
    private long events;
    private long repaired;
    private long refused;
    private long filesCompleted;
    private final long leftoverPartials;

    private HourlyFileArchive(final ArchiveConfig config, final long leftoverPartials) {
        this.config = config;
        this.leftoverPartials = leftoverPartials;
    }

    /** Opens the archive in {@code config.directory()}, creating it; reports files a crash left incomplete. */
    public static HourlyFileArchive open(final ArchiveConfig config) throws IOException {
        Files.createDirectories(config.directory());
        final List<Path> partials = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.directory(), PREFIX + "*" + PARTIAL)) {
            files.forEach(partials::add);
        }
        if (!partials.isEmpty()) {
            LOG.warn("event archive {}: {} file(s) left incomplete by an earlier crash, kept as they are "
                    + "(readable up to the crash): {}", config.directory(), partials.size(), partials);
        }
        return new HourlyFileArchive(config, partials.size());
    }

    @Override
    public synchronized void append(final long eventTimeNanos, final String jsonLine) throws IOException {
        if (jsonLine == null || jsonLine.isBlank()) {
            refused++;
            LOG.warn("event archive: refused a blank event line at event time {} (nothing to archive)", eventTimeNanos);
            return;
        }
        String line = jsonLine;
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            repaired++;
            line = line.replace('\n', ' ').replace('\r', ' ');
        }
        final byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        final long hour = Math.floorDiv(eventTimeNanos, HOUR_NANOS);
        Part part = open.get(hour);
        if (part != null && part.bytes > 0 && part.bytes + bytes.length > config.maxBytesPerFile()) {
            open.remove(hour);
            complete(part);
            part = null;
        }
        if (part == null) {
            part = new Part(hour, nextFreePart(hour));
            open.put(hour, part);
        }
        part.out.write(bytes);
        part.bytes += bytes.length;
        part.events++;
        events++;
        moveTo(hour);
    }

    @Override
    public synchronized void advanceTo(final long eventTimeNanos) throws IOException {
        moveTo(Math.floorDiv(eventTimeNanos, HOUR_NANOS));
    }

    @Override
    public synchronized void flush() throws IOException {
        for (final Part part : open.values()) {
            part.out.flush();
        }
    }

    /** Completes every open file (gzip trailer written, synced, renamed to its final name). */
    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (final Part part : open.values()) {
            try {
                complete(part);
            } catch (final IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** Events archived. */
    public synchronized long events() {
        return events;
    }

    /** Event lines whose line breaks were turned into spaces. */
    public synchronized long repaired() {
        return repaired;
    }

    /** Blank event lines refused. */
    public synchronized long refused() {
        return refused;
    }

    /** Files completed and renamed to their final name since this archive was opened. */
    public synchronized long filesCompleted() {
        return filesCompleted;
    }

    /** {@code .partial} files an earlier run left behind, found when this archive was opened. */
    public long leftoverPartials() {
        return leftoverPartials;
    }

    /** The file name of part {@code part} (0 is the first) of the UTC hour holding {@code eventTimeNanos}. */
    public static String fileName(final long eventTimeNanos, final int part) {
        return fileNameOfHour(Math.floorDiv(eventTimeNanos, HOUR_NANOS), part);
    }

    private static String fileNameOfHour(final long hour, final int part) {
        final String stamp = HOUR.format(Instant.ofEpochSecond(hour * 3600));
        return PREFIX + stamp + (part == 0 ? "" : ".part" + part) + SUFFIX;
    }

    /**
     * The complete archive files in {@code directory}, oldest hour first and parts in order within
     * an hour: reading them in this order gives the events as they were archived.
     */
    public static List<Path> completeFiles(final Path directory) throws IOException {
        final List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (final Path file : files) {
                if (NAME.matcher(file.getFileName().toString()).matches()) {
                    found.add(file);
                }
            }
        }
        found.sort(Comparator.<Path, String>comparing(file -> nameParts(file).group(1))
                .thenComparingInt(file -> {
                    final String part = nameParts(file).group(2);
                    return part == null ? 0 : Integer.parseInt(part);
                }));
        return found;
    }

    private static Matcher nameParts(final Path file) {
        final Matcher matcher = NAME.matcher(file.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalStateException("not an archive file: " + file);
        }
        return matcher;
    }

    private Path nextFreePart(final long hour) {
        for (int part = 0; ; part++) {
            final Path candidate = config.directory().resolve(fileNameOfHour(hour, part));
            final Path partial = candidate.resolveSibling(candidate.getFileName() + PARTIAL);
            if (!Files.exists(candidate) && !Files.exists(partial)) {
                return candidate;
            }
        }
    }

    private void moveTo(final long hour) throws IOException {
        if (hour > newestHour) {
            newestHour = hour;
        }
        // the current hour and the previous one stay open for late events; older ones are done
        final Iterator<Part> parts = open.values().iterator();
        while (parts.hasNext()) {
            final Part part = parts.next();
            if (part.hour >= newestHour - 1) {
                break;
            }
            parts.remove();
            complete(part);
        }
    }

    private void complete(final Part part) throws IOException {
        // finish the gzip stream and force it to disk before the name says the file is complete
        try {
            part.out.flush();
            part.gzip.finish();
            part.file.getFD().sync();
        } finally {
            part.out.close();
        }
        move(part.partial, part.complete);
        filesCompleted++;
        LOG.debug("event archive: completed {} ({} events, {} bytes uncompressed)", part.complete, part.events,
                part.bytes);
    }

    private static void move(final Path from, final Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (final AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
