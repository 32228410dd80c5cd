package dev.peregrine.app;

import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by every command that reads events: format, line limit, dead-letter file. */
final class InputOptions {

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto", converter = FormatName.class,
            description = "Input format: auto (detected per input; NDJSON native/agent per line), native, agent, "
                    + "auditd, falco, tetragon or claude-code (hook payloads). Default: ${DEFAULT-VALUE}.")
    InputFormat format;

    /** Reads {@code --format} by the names users write ({@code claude-code}), which are not all Java names. */
    static final class FormatName implements CommandLine.ITypeConverter<InputFormat> {
        @Override
        public InputFormat convert(final String value) {
            try {
                return InputFormat.of(value);
            } catch (final IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--max-line-bytes", paramLabel = "BYTES", defaultValue = "" + LineReader.DEFAULT_MAX_LINE_BYTES,
            description = "Longer input lines are rejected to the dead-letter file. Default: ${DEFAULT-VALUE}.")
    int maxLineBytes;

    @Option(names = "--dead-letter", paramLabel = "FILE", defaultValue = "peregrine-deadletter.ndjson",
            description = "Where rejected input lines are kept (created on the first rejection). Default: ${DEFAULT-VALUE}.")
    Path deadLetter;

    /** A source replaying {@code file} ({@code -} for stdin) in the chosen format; a missing file is a usage error. */
    EventSource replaySource(final String file) {
        if ("-".equals(file)) {
            return format.stdin(maxLineBytes);
        }
        final Path path = Path.of(file);
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new UsageException("cannot read " + file + (Files.exists(path) ? "" : ": no such file"));
        }
        return format.file(path, maxLineBytes);
    }

    void validate() {
        if (maxLineBytes < 1) {
            throw new UsageException("--max-line-bytes must be at least 1, got " + maxLineBytes);
        }
    }
}
