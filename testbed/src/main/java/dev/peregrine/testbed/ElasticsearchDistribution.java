package dev.peregrine.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Elasticsearch integ-test distribution from Maven Central
 * ({@code org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip}), unpacked once
 * into a shared directory and reused by every node started from it.
 *
 * <p>The zip is found, in order, at the system property {@value #ZIP_PROPERTY}, the environment
 * variable {@value #ZIP_ENV}, or in the local Maven repository ({@code maven.repo.local} or
 * {@code ~/.m2/repository}), where the testbed's own dependency on it puts it.
 */
public final class ElasticsearchDistribution {

    /** The server version; the Java client's major version must match it. */
    public static final String VERSION = "8.19.21";
    /** System property naming the zip explicitly. */
    public static final String ZIP_PROPERTY = "peregrine.elasticsearch.zip";
    /** Environment variable naming the zip explicitly. */
    public static final String ZIP_ENV = "PEREGRINE_ELASTICSEARCH_ZIP";

    private static final String REPOSITORY_PATH = "org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
            + VERSION + "/elasticsearch-" + VERSION + ".zip";

    private final Path home;

    private ElasticsearchDistribution(final Path home) {
        this.home = home;
    }

    /** The distribution unpacked under {@code java.io.tmpdir}, unpacking it on first use. */
    public static ElasticsearchDistribution installed() throws IOException {
        return installedAt(locateZip(), Path.of(System.getProperty("java.io.tmpdir"), "peregrine-testbed"));
    }

    /** The distribution from {@code zip} unpacked under {@code parent}, unpacking it on first use. */
    public static ElasticsearchDistribution installedAt(final Path zip, final Path parent) throws IOException {
        Files.createDirectories(parent);
        final Path home = parent.resolve("elasticsearch-" + VERSION);
        final Path marker = home.resolve(".peregrine-unpacked");
        // a lock file, because parallel test JVMs (or a script and a test) may unpack at once
        try (FileChannel lockFile = FileChannel.open(parent.resolve("elasticsearch-" + VERSION + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            final FileLock lock = lockFile.lock();
            try {
                if (!Files.exists(marker)) {
                    deleteTree(home);
                    unzip(zip, parent);
                    makeExecutable(home.resolve("bin"));
                    Files.writeString(marker, zip.toString());
                }
            } finally {
                lock.release();
            }
        }
        return new ElasticsearchDistribution(home);
    }

    /** Where the zip is; see the class comment for the search order. */
    public static Path locateZip() {
        final String explicit = System.getProperty(ZIP_PROPERTY, System.getenv(ZIP_ENV));
        if (explicit != null && !explicit.isBlank()) {
            return requireFile(Path.of(explicit), ZIP_PROPERTY + "/" + ZIP_ENV);
        }
        final String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return requireFile(Path.of(repository).resolve(REPOSITORY_PATH),
                "the local Maven repository (build the testbed module once: mvn -pl testbed install)");
    }

    /** The unpacked directory ({@code ES_HOME}). */
    public Path home() {
        return home;
    }

    /** The {@code bin/elasticsearch} start script. */
    public Path startScript() {
        return home.resolve("bin").resolve("elasticsearch");
    }

    /** The default configuration directory of the distribution, copied into each node's own. */
    public Path defaultConfig() {
        return home.resolve("config");
    }

    private static Path requireFile(final Path path, final String where) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Elasticsearch " + VERSION + " zip not found at " + path + " (from "
                    + where + ")");
        }
        return path;
    }

    private static void unzip(final Path zip, final Path target) throws IOException {
        final Path root = target.toAbsolutePath().normalize();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            final Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                final ZipEntry entry = entries.nextElement();
                final Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException("zip entry escapes the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /** java.util.zip drops Unix modes, so the scripts in bin/ get theirs back here. */
    private static void makeExecutable(final Path bin) throws IOException {
        try (Stream<Path> scripts = Files.list(bin)) {
            for (final Path script : (Iterable<Path>) scripts::iterator) {
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    static void deleteTree(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (final UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
