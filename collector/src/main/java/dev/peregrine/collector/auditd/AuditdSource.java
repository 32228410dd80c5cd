package dev.peregrine.collector.auditd;

import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.LineSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A raw {@code audit.log} file or stream (spec §2.3) as an {@link EventSource}: lines are
 * assembled into events by an {@link AuditdParser}; each bad line is one rejection, with the
 * same line limits and UTF-8 check as the NDJSON sources (the kernel hex-encodes anything that
 * is not plain text, so a line that is not UTF-8 is damaged, not exotic).
 */
public final class AuditdSource implements EventSource {

    private final LineSource lines;
    private final AuditdParser parser;

    private AuditdSource(final LineSource lines, final AuditdParser parser) {
        this.lines = lines;
        this.parser = parser;
    }

    /** The file at {@code path}, lines of at most 1 MiB. */
    public static AuditdSource file(final Path path) {
        final AuditdParser parser = new AuditdParser();
        return new AuditdSource(LineSource.file(path, parser, LineReader.DEFAULT_MAX_LINE_BYTES), parser);
    }

    /** The file at {@code path}, named by its path; {@code parser} must be used by this source only. */
    public static AuditdSource file(final Path path, final AuditdParser parser, final int maxLineBytes) {
        return new AuditdSource(LineSource.file(path, parser, maxLineBytes), parser);
    }

    /** The file at {@code path}, followed as it grows ({@code tail -f}) until closed. */
    public static AuditdSource followed(final Path path, final AuditdParser parser, final int maxLineBytes) {
        return new AuditdSource(LineSource.followed(path, parser, maxLineBytes), parser);
    }

    /** The process's standard input, lines of at most 1 MiB. */
    public static AuditdSource stdin() {
        final AuditdParser parser = new AuditdParser();
        return new AuditdSource(LineSource.stdin(parser, LineReader.DEFAULT_MAX_LINE_BYTES), parser);
    }

    /**
     * A source reading {@code in}, reported as {@code name}; it closes {@code in} when the read
     * ends. {@code parser} must be used by this source only.
     */
    public static AuditdSource of(final String name, final InputStream in, final AuditdParser parser,
                                  final int maxLineBytes) {
        return new AuditdSource(LineSource.of(name, in, parser, maxLineBytes), parser);
    }

    @Override
    public String name() {
        return lines.name();
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        lines.read(listener);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    /** Well-formed events that mapped onto nothing, so far. */
    public long skipped() {
        return parser.skipped();
    }

    /** {@link #skipped()} by the type of the event's first record. */
    public Map<String, Long> skippedByType() {
        return parser.skippedByType();
    }
}
