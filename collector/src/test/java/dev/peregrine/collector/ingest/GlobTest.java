package dev.peregrine.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void aStarMatchesAnyRunAndAQuestionMarkOneCharacter() {
        assertThat(Glob.matches("s-*", "s-8f2c")).isTrue();
        assertThat(Glob.matches("s-*", "s-")).isTrue();
        assertThat(Glob.matches("s-*", "x-8f2c")).isFalse();
        assertThat(Glob.matches("*-runner", "ci-runner")).isTrue();
        assertThat(Glob.matches("sbx-??", "sbx-12")).isTrue();
        assertThat(Glob.matches("sbx-??", "sbx-123")).isFalse();
        assertThat(Glob.matches("a*b*c", "axxbyyc")).isTrue();
        assertThat(Glob.matches("a*b*c", "axxbyy")).isFalse();
        assertThat(Glob.matches("*", "")).isTrue();
    }

    @Test
    void aPatternWithoutWildcardsMatchesOnlyItselfAndIsLiteral() {
        assertThat(Glob.matches("ci-runner", "ci-runner")).isTrue();
        assertThat(Glob.matches("ci-runner", "ci-runner2")).isFalse();
        assertThat(Glob.isLiteral("ci-runner")).isTrue();
        assertThat(Glob.isLiteral("ci-*")).isFalse();
        assertThat(Glob.isLiteral("ci-?")).isFalse();
    }
}
