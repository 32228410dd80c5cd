package dev.peregrine.app;

import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.FanOutSink;
import dev.peregrine.alerting.jsonl.JsonLinesSink;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded monitor as {@code run} and {@code replay} both assemble it: sources, the loaded
 * rules, the alert sinks and the dead-letter file around one {@link EmbeddedPipeline}.
 */
final class Monitor implements AutoCloseable {

    private static final int QUEUE_CAPACITY = 8192;

    private final EmbeddedPipeline pipeline;
    private final AlertSink sink;
    private final LazyDeadLetter deadLetter;

    private Monitor(final EmbeddedPipeline pipeline, final AlertSink sink, final LazyDeadLetter deadLetter) {
        this.pipeline = pipeline;
        this.sink = sink;
        this.deadLetter = deadLetter;
    }

    /** Wires a monitor; rules must already be loaded (a broken rule file fails before any input is read). */
    static Monitor assemble(final List<EventSource> sources, final List<Detector> detectors,
                            final InputOptions input, final OutputOptions output, final Writer stdout,
                            final PipelineMetrics metrics, final EmbeddedPipeline.Ordering ordering) {
        return assemble(sources, detectors, input, output, stdout, metrics, ordering, List.of());
    }

    /** Like the other, with {@code moreSinks} receiving every alert too. */
    static Monitor assemble(final List<EventSource> sources, final List<Detector> detectors,
                            final InputOptions input, final OutputOptions output, final Writer stdout,
                            final PipelineMetrics metrics, final EmbeddedPipeline.Ordering ordering,
                            final List<AlertSink> moreSinks) {
        final List<AlertSink> sinks = new ArrayList<>(moreSinks);
        if (!output.noStdoutAlerts) {
            sinks.add(JsonLinesSink.toWriter(stdout));
        }
        if (output.alertsFile != null) {
            try {
                sinks.add(JsonLinesSink.toFile(output.alertsFile));
            } catch (final IOException e) {
                throw new UsageException("cannot write alerts file " + output.alertsFile + ": " + e.getMessage());
            }
        }
        final AlertSink sink = new FanOutSink(sinks);
        final LazyDeadLetter deadLetter = new LazyDeadLetter(input.deadLetter);
        final EmbeddedPipeline pipeline = new EmbeddedPipeline(sources, detectors, sink, deadLetter, metrics,
                ordering, QUEUE_CAPACITY);
        return new Monitor(pipeline, sink, deadLetter);
    }

    /** Runs until the sources end or {@link #stop()} is called. */
    PipelineSummary run() throws InterruptedException {
        return pipeline.run();
    }

    /** Asks the sources to stop; {@link #run()} returns once what was read is processed. */
    void stop() {
        pipeline.stop();
    }

    /** The dead-letter file, if anything was written to it. */
    java.util.Optional<java.nio.file.Path> deadLetterWritten() {
        return deadLetter.used() ? java.util.Optional.of(deadLetter.path()) : java.util.Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            sink.close();
        } finally {
            deadLetter.close();
        }
    }
}
