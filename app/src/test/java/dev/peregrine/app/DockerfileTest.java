package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where the tests run, so the image build is checked by reading it: Maven
 * reads every module of the parent pom even with {@code -pl}, so a module the Dockerfile forgets
 * breaks {@code docker build} for users.
 */
class DockerfileTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theImageBuildCopiesThePomOfEveryModule() throws IOException {
        final String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));

        assertThat(modules()).isNotEmpty().allSatisfy(module -> assertThat(dockerfile)
                .as("docker/Dockerfile copies %s/pom.xml", module)
                .containsPattern("(?m)^COPY " + Pattern.quote(module + "/pom.xml") + "\\s+" + Pattern.quote(module + "/")));
    }

    @Test
    void theImageBuildCopiesTheSourcesOfEveryModuleTheAppIsBuiltWith() throws IOException {
        final String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));

        assertThat(modules()).allSatisfy(module -> assertThat(dockerfile)
                .as("docker/Dockerfile copies %s/", module)
                .containsPattern("(?m)^COPY " + Pattern.quote(module + "/") + "\\s+" + Pattern.quote(module + "/") + "$"));
    }

    private static List<String> modules() throws IOException {
        final Matcher matcher = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        final List<String> modules = new java.util.ArrayList<>();
        while (matcher.find()) {
            modules.add(matcher.group(1));
        }
        return modules;
    }
}
