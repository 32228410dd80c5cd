package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.kafka.KafkaEventPublisher;
import dev.peregrine.collector.kafka.PublisherConfig;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peregrine collector --kafka …}: reads events like run or replay and publishes them to the events topic. */
@Command(name = "collector", mixinStandardHelpOptions = true,
        description = {"Reads events and publishes them to Kafka for `peregrine engine` (distributed mode).",
                "FILEs are merged by evt.time, as replay does; --follow tails files; otherwise stdin is read.",
                "Events wait in a disk spool until the broker acknowledges them, so a broker that is down",
                "loses nothing: they are sent in order when it returns."})
final class CollectorCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorCommand.class);
    private static final int QUEUE_CAPACITY = 8192;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "NDJSON event files, merged by event time.")
    List<String> files = new ArrayList<>();

    @Option(names = "--follow", paramLabel = "FILE", description = "Follow this file as it grows (tail -F); repeatable.")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--key-field", paramLabel = "FIELD", defaultValue = "agent.session",
            description = {"The field whose value keys each record: a key's events share a partition, and so an "
                    + "engine task. Default: ${DEFAULT-VALUE}."})
    String keyField;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = PublisherConfig.DEFAULT_COMPRESSION,
            description = "none, gzip, snappy, lz4 or zstd. Default: ${DEFAULT-VALUE}.")
    String compression;

    @Option(names = "--event-spool-dir", paramLabel = "DIR", defaultValue = "peregrine-event-spool",
            description = {"Where events wait for the broker's acknowledgement (kept across restarts, sent first "
                    + "at the next start). Default: ${DEFAULT-VALUE}."})
    Path spoolDir;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "At the end of the input, how long to wait for the broker to take what is spooled. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    InputOptions input;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        input.validate();
        final PublisherConfig config;
        try {
            final Map<String, Object> overrides = new HashMap<>();
            kafka.clientConfig().forEach((key, value) -> overrides.put(key.toString(), value));
            config = PublisherConfig.of(kafka.bootstrap, spoolDir).withTopic(kafka.eventsTopic).withKeyField(keyField)
                    .withCompression(compression).withProducerOverrides(overrides);
        } catch (final IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        final List<EventSource> sources = new ArrayList<>();
        final EmbeddedPipeline.Ordering ordering;
        if (!files.isEmpty()) {
            for (final String file : files) {
                sources.add(input.replaySource(file));
            }
            ordering = EmbeddedPipeline.Ordering.EVENT_TIME_MERGE;
        } else {
            for (final Path file : follow) {
                sources.add(input.format.followed(file, input.maxLineBytes));
            }
            if (follow.isEmpty()) {
                sources.add(input.format.stdin(input.maxLineBytes));
            }
            ordering = EmbeddedPipeline.Ordering.ARRIVAL;
        }
        final PipelineSummary summary;
        final long published;
        final long spooled;
        try (KafkaEventPublisher publisher = openPublisher(config);
             LazyDeadLetter deadLetter = new LazyDeadLetter(input.deadLetter)) {
            // The same reading path as run and replay (source threads, event-time merge, rejections kept);
            // its one "detector" publishes instead of detecting.
            final EmbeddedPipeline pipeline = new EmbeddedPipeline(sources, List.of(new Publish(publisher)),
                    NO_ALERTS, deadLetter, PipelineMetrics.unregistered(), ordering, QUEUE_CAPACITY);
            final Thread stopper = new Thread(pipeline::stop, "peregrine-collector-shutdown");
            Runtime.getRuntime().addShutdownHook(stopper);
            LOG.info("publishing to {} at {} (key {}, {})", kafka.eventsTopic, kafka.bootstrap, keyField, compression);
            summary = pipeline.run();
            removeQuietly(stopper);
            if (!publisher.awaitDrained(drainTimeout)) {
                LOG.warn("{} events not yet acknowledged after {}; they stay in {} and go first at the next start",
                        publisher.spooled(), drainTimeout, spoolDir);
            }
            published = publisher.published();
            spooled = publisher.spooled();
            publisher.close(Duration.ZERO);
            if (deadLetter.used()) {
                LOG.warn("rejected lines were kept in {}", deadLetter.path());
            }
        }
        final var err = spec.commandLine().getErr();
        err.printf("collector: %d events read, %d rejected, %d published, %d still spooled%n",
                summary.eventsAccepted() + summary.eventsRejected(), summary.eventsRejected(), published, spooled);
        err.flush();
        return summary.hadProblems() || spooled > 0 ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
    }

    private static KafkaEventPublisher openPublisher(final PublisherConfig config) {
        try {
            return new KafkaEventPublisher(config);
        } catch (final IOException e) {
            throw new UsageException("cannot use event spool " + config.spoolDirectory() + ": " + e.getMessage());
        }
    }

    /** Hands each event to the publisher; a spool that cannot be written is a failure the pipeline counts. */
    private record Publish(KafkaEventPublisher publisher) implements Detector {
        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            try {
                publisher.publish(event);
            } catch (final IOException e) {
                throw new UncheckedIOException("event spool not writable", e);
            }
        }
    }

    /** The collector raises no alerts. */
    private static final AlertSink NO_ALERTS = alert -> {
    };

    private static void removeQuietly(final Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException alreadyShuttingDown) {
            // the hook is running; it only stops the sources
        }
    }
}
