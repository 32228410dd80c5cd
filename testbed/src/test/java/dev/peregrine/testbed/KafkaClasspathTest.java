package dev.peregrine.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaClasspathTest {

    @Test
    void theBrokerClasspathHoldsTheBrokerItsLogBindingAndTheTestbedsOwnCodeAllOnDisk() {
        final List<String> entries = Arrays.asList(KafkaClasspath.resolve().split(File.pathSeparator));

        assertThat(entries).anyMatch(entry -> Path.of(entry).getFileName().toString().startsWith("kafka_2.13-"));
        assertThat(entries).anyMatch(entry -> Path.of(entry).getFileName().toString().startsWith("slf4j-simple-"));
        assertThat(entries.get(0)).as("the testbed's own classes, where KafkaServerMain lives")
                .satisfies(first -> assertThat(Path.of(first).resolve("dev/peregrine/testbed/KafkaServerMain.class"))
                        .exists());
        assertThat(entries).allMatch(entry -> Files.exists(Path.of(entry)));
    }
}
