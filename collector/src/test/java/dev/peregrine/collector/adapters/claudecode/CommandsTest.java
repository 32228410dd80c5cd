package dev.peregrine.collector.adapters.claudecode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import org.junit.jupiter.api.Test;

/** A Bash tool command as process fields, and hook names as platform operations. */
class CommandsTest {

    @Test
    void theProcessIsTheFirstWordAfterEnvironmentAssignmentsWithoutItsDirectory() {
        final Event event = describe("PIP_INDEX_URL=https://example.org/simple  /usr/bin/pip3 install  torch");

        assertThat(event.getString(StandardFields.PROC_NAME)).isEqualTo("pip3");
        assertThat(event.getString(StandardFields.PROC_ARGS)).isEqualTo("install  torch");
        assertThat(event.getString(StandardFields.PROC_CMDLINE))
                .isEqualTo("PIP_INDEX_URL=https://example.org/simple  /usr/bin/pip3 install  torch");
    }

    @Test
    void aCommandOfOnlyAssignmentsNamesNoProcess() {
        final Event event = describe("A=1 B=2");

        assertThat(event.has(StandardFields.PROC_NAME)).isFalse();
        assertThat(event.getString(StandardFields.PROC_CMDLINE)).isEqualTo("A=1 B=2");
    }

    @Test
    void hookNamesBecomeSnakeCaseOperations() {
        assertThat(ClaudeCodeHookAdapter.snakeCase("UserPromptSubmit")).isEqualTo("user_prompt_submit");
        assertThat(ClaudeCodeHookAdapter.snakeCase("SessionEnd")).isEqualTo("session_end");
        assertThat(ClaudeCodeHookAdapter.snakeCase("PreCompact")).isEqualTo("pre_compact");
    }

    private static Event describe(final String command) {
        final Event.Builder event = Event.builder().time(1L);
        Commands.describe(command, event);
        return event.build();
    }
}
