package dev.peregrine.collector.adapters.claudecode;

import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineParser;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Claude Code hook payloads from a file, one per line (a {@code peregrine hook} spool, or a
 * recorded session), for replay: mapped as {@link ClaudeCodeHookAdapter} maps them over HTTP.
 * Replay runs in event time, so each line must carry {@value ClaudeCodeHookAdapter#TIME_KEY};
 * one without is rejected as {@code missing_field} rather than given the replay's wall-clock time.
 */
public final class ClaudeCodeHookLineParser implements LineParser {

    private final ClaudeCodeHookAdapter adapter;

    /** Lines mapped with {@link ClaudeCodeHookAdapter#DEFAULT_IDENTITY}. */
    public ClaudeCodeHookLineParser() {
        this(new ClaudeCodeHookAdapter());
    }

    /** Lines mapped by {@code adapter}. */
    public ClaudeCodeHookLineParser(final ClaudeCodeHookAdapter adapter) {
        this.adapter = Objects.requireNonNull(adapter, "adapter");
    }

    @Override
    public void parse(final byte[] buf, final int off, final int len, final Consumer<Event> events)
            throws LineRejectedException {
        final byte[] line = Arrays.copyOfRange(buf, off, off + len);
        try {
            final Object payload = JsonTree.parse(line, line.length);
            final Map<String, Object> object = JsonTree.object(payload);
            if (object != null && !object.containsKey(ClaudeCodeHookAdapter.TIME_KEY)) {
                throw new LineRejectedException(Reason.MISSING_FIELD, "hook payload has no '"
                        + ClaudeCodeHookAdapter.TIME_KEY + "': a replay needs the time the hook fired");
            }
            Event event = adapter.map(payload, 0L);
            if (!event.has(StandardFields.AGENT_ID)
                    && adapter.identity().fallbackAgentId() != null) {
                event = event.with(StandardFields.AGENT_ID,
                        adapter.identity().fallbackAgentId());
            }
            events.accept(event);
        } catch (final PayloadException e) {
            throw new LineRejectedException(e.reason(), e.getMessage());
        }
    }
}
