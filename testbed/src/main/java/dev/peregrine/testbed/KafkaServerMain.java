package dev.peregrine.testbed;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The main of the broker JVM that {@link KafkaBroker} starts: formats the KRaft storage on the
 * first start (what {@code kafka-storage.sh format} does), then runs {@code kafka.Kafka}. One
 * JVM for both saves a JVM start. The broker halts when the JVM that started it dies, so a
 * killed test run leaves no broker behind.
 *
 * <p>Arguments: {@code <server.properties> <cluster id> <metadata log dir> [<parent pid>]}.
 */
public final class KafkaServerMain {

    private KafkaServerMain() {
    }

    /** Formats storage when {@code meta.properties} is missing, then runs the broker until stopped. */
    public static void main(final String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: KafkaServerMain <server.properties> <cluster id> <metadata log dir> [<parent pid>]");
            System.exit(2);
        }
        final String properties = args[0];
        final String clusterId = args[1];
        final Path metadataDir = Path.of(args[2]);
        if (args.length > 3) {
            haltWhenGone(Long.parseLong(args[3]));
        }
        if (!Files.exists(metadataDir.resolve("meta.properties"))) {
            final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            final int status = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", properties}, out);
            if (status != 0) {
                System.err.println("formatting KRaft storage failed with status " + status);
                System.exit(status);
            }
        }
        kafka.Kafka.main(new String[] {properties});
    }

    private static void haltWhenGone(final long parentPid) {
        final Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            Runtime.getRuntime().halt(3);
        }
        // halt, not exit: a parent that vanished cannot wait for a clean shutdown, and the data
        // directory is its to delete
        parent.get().onExit().thenRun(() -> Runtime.getRuntime().halt(0));
    }
}
