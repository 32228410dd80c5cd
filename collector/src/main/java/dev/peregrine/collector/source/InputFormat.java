package dev.peregrine.collector.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.adapters.claudecode.ClaudeCodeHookLineParser;
import dev.peregrine.collector.auditd.AuditdParser;
import dev.peregrine.collector.falco.FalcoJsonParser;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.ndjson.NdjsonSource;
import dev.peregrine.collector.tetragon.TetragonJsonParser;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The input formats of spec §2, by the name a user gives ({@code --format auditd}), each able
 * to build the {@link EventSource} that reads it.
 *
 * <h2>Detection ({@link #AUTO})</h2>
 * Decided once per input, from its first non-blank line (a leading UTF-8 byte order mark
 * ignored), see {@link #detect}: a line starting with {@code type=} or {@code node=} is
 * {@link #AUDITD}; a JSON object with an {@code output_fields} key is {@link #FALCO}; one with a
 * {@code process_exec}, {@code process_exit} or {@code process_kprobe} key is
 * {@link #TETRAGON}; one with a {@code hook_event_name} key is {@link #CLAUDE_CODE}; anything else is NDJSON whose native or agent format is then decided per
 * line, as {@link NdjsonParser.Format#AUTO} does. An input whose first line is bad is NDJSON, so
 * that the line is rejected with the reason the NDJSON parser gives.
 */
public enum InputFormat {
    /** Detect per input (see above). */
    AUTO,
    /** Native NDJSON events only (spec §2.1). */
    NATIVE,
    /** Agent audit NDJSON events only (spec §2.2). */
    AGENT,
    /** Raw Linux {@code audit.log} (spec §2.3). */
    AUDITD,
    /** Falco JSON alert output (spec §2.4). */
    FALCO,
    /** Tetragon JSON export (spec §2.5). */
    TETRAGON,
    /**
     * Claude Code hook payloads, one per line, each stamped with the time its hook fired (a recorded
     * session, or a {@code peregrine hook} spool), mapped as the ingest server maps them.
     */
    CLAUDE_CODE;

    /** How much of an input {@link #AUTO} looks at to find and read its first line. */
    static final int DETECTION_BYTES = 256 * 1024;

    private static final Duration FOLLOW_POLL = Duration.ofMillis(200);
    private static final JsonFactory JSON = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

    /** The format named {@code name} ({@link #label()}), case-insensitive; the error lists the names there are. */
    public static InputFormat of(final String name) {
        for (final InputFormat format : values()) {
            if (format.label().equalsIgnoreCase(name.strip()) || format.name().equalsIgnoreCase(name.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown input format '" + name + "', expected one of "
                + Arrays.stream(values()).map(InputFormat::label).collect(Collectors.joining(", ")));
    }

    /** The name users write, e.g. {@code auditd} or {@code claude-code}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The file at {@code path} in this format, lines of at most {@code maxLineBytes}. */
    public EventSource file(final Path path, final int maxLineBytes) {
        return source(path.toString(), () -> Files.newInputStream(path), maxLineBytes);
    }

    /** The file at {@code path} in this format, followed as it grows until the source is closed. */
    public EventSource followed(final Path path, final int maxLineBytes) {
        return source(path.toString(), () -> new FollowedFileInputStream(path, FOLLOW_POLL), maxLineBytes);
    }

    /** The process's standard input in this format, named {@value LineSource#STDIN}. */
    public EventSource stdin(final int maxLineBytes) {
        return source(LineSource.STDIN,
                () -> Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()), maxLineBytes);
    }

    /** {@code in} in this format, reported as {@code name}; the source closes {@code in} when its read ends. */
    public EventSource stream(final String name, final InputStream in, final int maxLineBytes) {
        return source(name, () -> in, maxLineBytes);
    }

    private EventSource source(final String name, final DetectingSource.Opener opener, final int maxLineBytes) {
        if (this == AUTO) {
            return new DetectingSource(name, opener, maxLineBytes);
        }
        return new DetectingSource(name, opener, maxLineBytes, this);
    }

    /** The source reading the opened {@code in} in this format; never {@link #AUTO}'s detection. */
    EventSource open(final String name, final InputStream in, final int maxLineBytes) {
        return switch (this) {
            case AUTO -> new NdjsonSource(name, in, new NdjsonParser(NdjsonParser.Format.AUTO), maxLineBytes);
            case NATIVE -> new NdjsonSource(name, in, new NdjsonParser(NdjsonParser.Format.NATIVE), maxLineBytes);
            case AGENT -> new NdjsonSource(name, in, new NdjsonParser(NdjsonParser.Format.AGENT), maxLineBytes);
            case AUDITD -> LineSource.of(name, in, new AuditdParser(), maxLineBytes);
            case FALCO -> LineSource.of(name, in, new FalcoJsonParser(), maxLineBytes);
            case TETRAGON -> LineSource.of(name, in, new TetragonJsonParser(), maxLineBytes);
            case CLAUDE_CODE -> LineSource.of(name, in, new ClaudeCodeHookLineParser(), maxLineBytes);
        };
    }

    /**
     * The format of an input that starts with {@code head[off, off+len)}: {@link #AUDITD},
     * {@link #FALCO}, {@link #TETRAGON}, {@link #CLAUDE_CODE}, or {@link #AUTO} for NDJSON decided per line (also
     * when there is no non-blank line at all).
     */
    public static InputFormat detect(final byte[] head, final int off, final int len) {
        final int end = off + len;
        int start = off;
        if (len >= 3 && head[off] == (byte) 0xEF && head[off + 1] == (byte) 0xBB && head[off + 2] == (byte) 0xBF) {
            start += 3;
        }
        while (start < end) {
            int lineEnd = start;
            while (lineEnd < end && head[lineEnd] != '\n') {
                lineEnd++;
            }
            if (!NdjsonParser.isBlank(head, start, lineEnd - start)) {
                return detectLine(head, start, lineEnd - start);
            }
            start = lineEnd + 1;
        }
        return AUTO;
    }

    private static InputFormat detectLine(final byte[] line, final int off, final int len) {
        int first = off;
        while (first < off + len && (line[first] == ' ' || line[first] == '\t')) {
            first++;
        }
        if (startsWith(line, first, off + len, "type=") || startsWith(line, first, off + len, "node=")) {
            return AUDITD;
        }
        if (first < off + len && line[first] == '{') {
            return detectJson(line, off, len);
        }
        return AUTO;
    }

    /** Looks at the top-level keys of a JSON object; a line cut short or broken is judged by the keys before the break. */
    private static InputFormat detectJson(final byte[] line, final int off, final int len) {
        try (JsonParser parser = JSON.createParser(line, off, len)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String key = parser.currentName();
                switch (key) {
                    case "output_fields" -> {
                        return FALCO;
                    }
                    case "process_exec", "process_exit", "process_kprobe" -> {
                        return TETRAGON;
                    }
                    case "hook_event_name" -> {
                        return CLAUDE_CODE;
                    }
                    default -> {
                        parser.nextToken();
                        parser.skipChildren();
                    }
                }
            }
        } catch (final IOException e) {
            // Not (all) JSON: NDJSON parsing will say what is wrong with it.
        }
        return AUTO;
    }

    private static boolean startsWith(final byte[] buf, final int from, final int end, final String prefix) {
        if (end - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
