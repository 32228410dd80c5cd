package dev.peregrine.alerting.archive;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where {@link HourlyFileArchive} writes and how big one file may grow.
 *
 * @param directory       folder of the archive files, created when missing
 * @param maxBytesPerFile uncompressed NDJSON bytes in one file before the hour continues in a
 *                        new part (the gzip file on disk is several times smaller); a single
 *                        event larger than this gets a part of its own
 */
public record ArchiveConfig(Path directory, long maxBytesPerFile) {

    /** 1 GiB of NDJSON per file, roughly 100 MiB of gzip: one file per hour for most fleets. */
    public static final long DEFAULT_MAX_BYTES_PER_FILE = 1024L * 1024 * 1024;

    public ArchiveConfig {
        Objects.requireNonNull(directory, "directory");
        if (maxBytesPerFile < 1) {
            throw new IllegalArgumentException("maxBytesPerFile must be at least 1: " + maxBytesPerFile);
        }
    }

    /** An archive in {@code directory} with the default file size cap. */
    public static ArchiveConfig in(final Path directory) {
        return new ArchiveConfig(directory, DEFAULT_MAX_BYTES_PER_FILE);
    }
}
