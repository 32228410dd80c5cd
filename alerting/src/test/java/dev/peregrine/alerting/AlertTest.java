package dev.peregrine.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AlertTest {

    private static final long TIME = 1_795_342_562_123_456_789L;

    @Test
    void deterministicIdIsTheFirst128BitsOfSha256OverRuleKeyAndWindowStart() {
        // Pinned: ids are compared across runs, modes and releases (a SIEM overwrites by id).
        assertThat(Alert.deterministicId("shell_in_agent_tool", "s-8f2c\u0000bash -c id", TIME))
                .isEqualTo("afd18ea68a20bba1065fb2685abe908a");
    }

    @Test
    void deterministicIdIsTheSameOnEveryThreadAndEveryCall() throws Exception {
        final String expected = Alert.deterministicId("denied_burst", "s-1", TIME);
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<String>> ids = pool.invokeAll(List.of(
                    () -> Alert.deterministicId("denied_burst", "s-1", TIME),
                    () -> Alert.deterministicId("other", "s-2", 1) + Alert.deterministicId("denied_burst", "s-1", TIME),
                    () -> Alert.deterministicId("denied_burst", "s-1", TIME)));
            assertThat(ids.get(0).get()).isEqualTo(expected);
            assertThat(ids.get(1).get()).endsWith(expected);
            assertThat(ids.get(2).get()).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
