package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.LineParser;
import dev.peregrine.collector.source.LineSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An NDJSON file or stream (spec §2.1, §2.2) as an {@link EventSource}: every line becomes an
 * event or exactly one {@link Rejection}, numbered as the line is in the input.
 *
 * <p>Blank lines are skipped, neither events nor rejections. A line is rejected as
 * {@link Reason#TOO_LONG} over the maximum length, {@link Reason#INVALID_ENCODING} when it is
 * not UTF-8, otherwise for whatever {@link NdjsonParser} refuses. Bad data never throws out of
 * {@link #read}; only a failing read of the input does.
 *
 * <p>{@link #close()} from another thread stops a {@link #read} in progress: it returns at the
 * next line, or at once when the input unblocks on close (files, pipes and stdin as opened by
 * {@link #stdin()}, sockets). A source reads its input once.
 */
public final class NdjsonSource implements EventSource {

    /** The name stdin is reported under. */
    public static final String STDIN = LineSource.STDIN;

    // The line handling (limits, UTF-8, blank lines, close) is the one every line-oriented source shares.
    private final LineSource lines;

    private NdjsonSource(final LineSource lines) {
        this.lines = lines;
    }

    /**
     * A source reading {@code in}, reported as {@code name}; it closes {@code in} when the read
     * ends. {@code parser} must be used by this source only.
     */
    public NdjsonSource(final String name, final InputStream in, final NdjsonParser parser, final int maxLineBytes) {
        this(LineSource.of(name, in, lineParser(parser), maxLineBytes));
    }

    /** The file at {@code path}, formats detected per line, lines of at most 1 MiB. */
    public static NdjsonSource file(final Path path) {
        return file(path, new NdjsonParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
    }

    /** The file at {@code path}, named by its path. */
    public static NdjsonSource file(final Path path, final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(LineSource.file(path, lineParser(parser), maxLineBytes));
    }

    /**
     * The file at {@code path}, followed as it grows ({@code tail -f}): the read ends only when
     * the source is closed. Truncation and replacement of the file are followed too.
     */
    public static NdjsonSource followed(final Path path, final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(LineSource.followed(path, lineParser(parser), maxLineBytes));
    }

    /** The process's standard input, formats detected per line, lines of at most 1 MiB. */
    public static NdjsonSource stdin() {
        return stdin(new NdjsonParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * The process's standard input, named {@value #STDIN}. Read through a file channel rather
     * than {@link System#in}, because closing a channel wakes a thread blocked reading an idle
     * pipe, which closing {@code System.in} does not.
     */
    public static NdjsonSource stdin(final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(LineSource.stdin(lineParser(parser), maxLineBytes));
    }

    private static LineParser lineParser(final NdjsonParser parser) {
        Objects.requireNonNull(parser, "parser");
        return (buf, off, len, events) -> events.accept(parser.parse(buf, off, len));
    }

    @Override
    public String name() {
        return lines.name();
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        lines.read(listener);
    }

    /** Stops a {@link #read} in progress and closes the input. */
    @Override
    public void close() throws IOException {
        lines.close();
    }
}
