package dev.peregrine.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches rule files and directories and calls back once their content changed and then stayed
 * quiet for a moment.
 *
 * <p>It watches the directories, not the files: editors save by writing a new file and renaming
 * it over the old one (a watch on the old file would see nothing after the first save), and
 * Kubernetes swaps a mounted ConfigMap by re-pointing a symlink. Any change in a watched directory
 * starts a quiet period ({@link #DEFAULT_QUIET}, restarted by every further change, so a save in
 * several writes is one reload); after it, the content of the rule files ({@code *.yaml} and
 * {@code *.yml} of a directory, a named file as it is) is hashed, and only a different hash calls
 * back. A touched file, an editor's swap file or a neighbour of a named file reloads nothing. A
 * rule file that disappeared is a change too: the reload then says the file is missing, and the
 * running rules stay.
 */
final class RuleWatcher implements AutoCloseable {

    /** How long the rule files must stay unchanged before a reload: editors save in bursts of writes. */
    static final Duration DEFAULT_QUIET = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(RuleWatcher.class);

    private final List<Path> rules;
    private final Duration quiet;
    private final Runnable changed;
    private final WatchService watcher;
    private final Thread thread;
    private final AtomicLong unchanged = new AtomicLong();
    private byte[] fingerprint;

    private RuleWatcher(final List<Path> rules, final Duration quiet, final Runnable changed,
                        final WatchService watcher) {
        this.rules = rules;
        this.quiet = quiet;
        this.changed = changed;
        this.watcher = watcher;
        this.fingerprint = fingerprint(rules);
        this.thread = new Thread(this::watch, "peregrine-rules-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code rules} (files or directories, as given to {@code --rules}); {@code
     * changed} runs on the watcher's thread after each change of their content, once {@code quiet}
     * has passed without another.
     */
    static RuleWatcher start(final List<Path> rules, final Duration quiet, final Runnable changed) throws IOException {
        final List<Path> paths = rules.stream().map(path -> path.toAbsolutePath().normalize()).toList();
        final Set<Path> directories = new LinkedHashSet<>();
        for (final Path path : paths) {
            directories.add(Files.isDirectory(path) ? path : path.getParent());
        }
        final WatchService service = FileSystems.getDefault().newWatchService();
        try {
            for (final Path directory : directories) {
                directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (final IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        final RuleWatcher watcher = new RuleWatcher(paths, Objects.requireNonNull(quiet, "quiet"),
                Objects.requireNonNull(changed, "changed"), service);
        watcher.thread.start();
        LOG.info("watching {} for rule changes", directories);
        return watcher;
    }

    /** Quiet periods after which the rule files' content was found unchanged (nothing was called). */
    long unchangedChecks() {
        return unchanged.get();
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }

    private void watch() {
        try {
            while (true) {
                drain(watcher.take());
                // quiet period: every further change restarts it
                WatchKey next;
                while ((next = watcher.poll(quiet.toNanos(), TimeUnit.NANOSECONDS)) != null) {
                    drain(next);
                }
                final byte[] now = fingerprint(rules);
                if (Arrays.equals(now, fingerprint)) {
                    LOG.debug("rule directories changed, the rule files did not: no reload");
                    unchanged.incrementAndGet();
                    continue;
                }
                fingerprint = now;
                try {
                    changed.run();
                } catch (final RuntimeException e) {
                    LOG.error("reacting to a rule file change failed: {}", e.toString(), e);
                }
            }
        } catch (final InterruptedException | ClosedWatchServiceException e) {
            // closed: stop watching
        }
    }

    /** Consumes the key's events (their content does not matter: the fingerprint decides) and re-arms it. */
    private static void drain(final WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            // the directory itself went away; its files' absence shows in the fingerprint
            LOG.warn("a watched rule directory {} is gone; changes there are no longer seen", key.watchable());
        }
    }

    /** SHA-256 over the rule files' names and contents; a missing or unreadable file counts as such. */
    private static byte[] fingerprint(final List<Path> paths) {
        final MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        for (final Path file : files(paths)) {
            digest.update(file.toString().getBytes(StandardCharsets.UTF_8));
            try {
                digest.update(ByteBuffer.wrap(Files.readAllBytes(file)));
            } catch (final IOException e) {
                digest.update(("unreadable: " + e.getClass().getName()).getBytes(StandardCharsets.UTF_8));
            }
            digest.update((byte) 0);
        }
        return digest.digest();
    }

    /** The files a rule load reads: named files, and each directory's {@code *.yaml}/{@code *.yml}, sorted. */
    private static List<Path> files(final List<Path> paths) {
        final List<Path> files = new ArrayList<>();
        for (final Path path : paths) {
            if (!Files.isDirectory(path)) {
                files.add(path);
                continue;
            }
            try (Stream<Path> entries = Files.list(path)) {
                entries.filter(entry -> {
                    final String name = entry.getFileName().toString();
                    return name.endsWith(".yaml") || name.endsWith(".yml");
                }).sorted().forEach(files::add);
            } catch (final IOException e) {
                files.add(path);
            }
        }
        return files;
    }
}
