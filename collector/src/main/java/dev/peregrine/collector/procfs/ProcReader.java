package dev.peregrine.collector.procfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads processes out of a procfs mount (or a directory laid out like one, in tests). */
final class ProcReader {

    /** Most bytes of a command line read; the process tree keeps 1 KiB of it anyway. */
    static final int MAX_CMDLINE_BYTES = 16 * 1024;

    private final Path root;

    ProcReader(final Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The pids listed now; {@code /proc} lists thread-group leaders only, so these are processes. */
    int[] pids() throws IOException {
        // File.list: names only, no Path per entry; this runs every poll over every process.
        final String[] names = root.toFile().list();
        if (names == null) {
            throw new IOException("cannot list " + root + ": is procfs mounted there?");
        }
        final int[] pids = new int[names.length];
        int count = 0;
        for (final String name : names) {
            final int pid = parsePid(name);
            if (pid > 0) {
                pids[count++] = pid;
            }
        }
        return Arrays.copyOf(pids, count);
    }

    /**
     * The process {@code pid} as it is now, or {@code null} when it is gone (or went while it
     * was read: a process exiting between two files is simply not there).
     */
    ProcSnapshot read(final int pid) {
        final Path dir = root.resolve(Integer.toString(pid));
        try {
            final String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
            // comm may hold spaces and parentheses: it ends at the last ')'.
            final int open = stat.indexOf('(');
            final int close = stat.lastIndexOf(')');
            if (open < 0 || close < open) {
                return null;
            }
            final String comm = stat.substring(open + 1, close);
            final String[] rest = stat.substring(close + 2).strip().split(" ");
            if (rest.length < 20) {
                return null;
            }
            final int ppid = Integer.parseInt(rest[1]);
            final long startTicks = Long.parseLong(rest[19]);
            final List<String> argv = readArgv(dir.resolve("cmdline"));
            return new ProcSnapshot(pid, ppid, startTicks, comm, argv, link(dir.resolve("exe")),
                    link(dir.resolve("cwd")), owner(dir));
        } catch (final NoSuchFileException gone) {
            return null;
        } catch (final IOException | RuntimeException unreadable) {
            // A stat we cannot read or parse is a process we cannot describe; not worth failing the poll.
            return null;
        }
    }

    /** The boot time in epoch seconds ({@code btime} of {@code /proc/stat}), or -1 when unknown. */
    long bootTimeSeconds() {
        try {
            for (final String line : Files.readAllLines(root.resolve("stat"), StandardCharsets.UTF_8)) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).strip());
                }
            }
        } catch (final IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static List<String> readArgv(final Path cmdline) throws IOException {
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(cmdline)) {
            bytes = in.readNBytes(MAX_CMDLINE_BYTES);
        }
        final List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                argv.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            // No final NUL: cut at the read limit, or a process that rewrote its own title.
            argv.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return List.copyOf(argv);
    }

    private static String link(final Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (final IOException | UnsupportedOperationException | SecurityException e) {
            // Another user's process: the kernel refuses; the event goes without it.
            return null;
        }
    }

    private static int owner(final Path dir) {
        try {
            return (Integer) Files.getAttribute(dir, "unix:uid");
        } catch (final IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static int parsePid(final String name) {
        if (name.isEmpty() || name.length() > 9) {
            return -1;
        }
        int pid = 0;
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }
}
