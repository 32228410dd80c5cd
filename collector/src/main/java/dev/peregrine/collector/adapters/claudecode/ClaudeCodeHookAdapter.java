package dev.peregrine.collector.adapters.claudecode;

import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadAdapter;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Claude Code hook payloads ({@code POST /v1/hooks/claude-code}): the JSON Claude Code writes
 * on a hook command's stdin, one per request, or several as a JSON array or NDJSON (a drained
 * spool).
 *
 * <h2>Mapping</h2>
 * Every payload has {@code session_id}, {@code transcript_path}, {@code cwd},
 * {@code permission_mode} and {@code hook_event_name}; tool events add {@code tool_name},
 * {@code tool_input}, {@code tool_use_id} and, after the call, {@code tool_response}.
 * <table>
 *   <caption>hook_event_name to event</caption>
 *   <tr><th>hook</th><th>evt.type</th><th>outcome</th></tr>
 *   <tr><td>PreToolUse</td><td>tool_call</td><td>unset: not decided yet</td></tr>
 *   <tr><td>PermissionRequest</td><td>tool_call</td><td>{@code tool.outcome=approval_required}</td></tr>
 *   <tr><td>PostToolUse</td><td>tool_call</td><td>{@code allowed} ({@code evt.res=SUCCESS}), or {@code error} when
 *       {@code tool_response} says so</td></tr>
 *   <tr><td>PostToolUseFailure</td><td>tool_call</td><td>{@code error} ({@code evt.res=EIO})</td></tr>
 *   <tr><td>any other (UserPromptSubmit, SessionStart, SessionEnd, Stop, Notification, …)</td>
 *       <td>platform_access</td><td>{@code platform.op} = the hook in snake case, {@code platform.outcome=success}</td></tr>
 * </table>
 * Tools: {@code tool.name} is {@code tool_name} as Claude Code gives it ({@code Bash}, {@code Read}, …) and
 * {@code tool.action}/{@code tool.resource} follow the house convention (Bash is {@code exec} of the
 * command, Read is {@code read} of the file, …); an MCP tool {@code mcp__server__tool} is
 * {@code tool.name=server}, {@code tool.action=tool}. On {@code PreToolUse} the Bash command also becomes
 * {@code proc.cmdline} (with {@code proc.name} its first word after any {@code VAR=value}, and
 * {@code proc.cwd} the session's directory), so command rules see it before the process runs; only
 * there, so that one command is one command line however many hooks report it.
 *
 * <h2>Time and identity</h2>
 * Payloads carry no time: {@value #TIME_KEY} (RFC 3339, added by {@code peregrine hook} when the hook
 * fired) is used when present, else the arrival time. Identity comes from {@link IdentityKeys} (keys are
 * dotted paths into the payload), by default {@code agent.session=session_id} and, when neither the payload
 * nor the token names one, {@code agent.id=claude-code}. Every top-level key is also kept as an extra.
 */
public final class ClaudeCodeHookAdapter implements PayloadAdapter {

    /** Where payloads are posted. */
    public static final String PATH = "/v1/hooks/claude-code";

    /** Key {@code peregrine hook} adds: when the hook fired, so that a spooled payload keeps its time. */
    public static final String TIME_KEY = "peregrine_time";

    /** {@code agent.session} from {@code session_id}; {@code agent.id} from the token, else {@code claude-code}. */
    public static final IdentityKeys DEFAULT_IDENTITY = new IdentityKeys(List.of(), List.of("session_id"), List.of(),
            "claude-code");

    private static final String MCP_PREFIX = "mcp__";

    private final IdentityKeys identity;

    /** An adapter with {@link #DEFAULT_IDENTITY}. */
    public ClaudeCodeHookAdapter() {
        this(DEFAULT_IDENTITY);
    }

    /** An adapter taking identities from {@code identity}. */
    public ClaudeCodeHookAdapter(final IdentityKeys identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    @Override
    public String format() {
        return "claude-code";
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public IdentityKeys identity() {
        return identity;
    }

    @Override
    public Adapted adapt(final byte[] body, final int length, final long receivedNanos) {
        final Adapted.Builder out = new Adapted.Builder();
        for (final JsonTree.Numbered record : JsonTree.records(body, length, out)) {
            try {
                out.event(record.origin(), map(record.value(), receivedNanos));
            } catch (final PayloadException e) {
                out.problem(record.origin(), e.reason(), e.getMessage());
            }
        }
        return out.build();
    }

    /** The event of one hook payload. */
    Event map(final Object value, final long receivedNanos) throws PayloadException {
        final Map<String, Object> payload = JsonTree.object(value);
        if (payload == null) {
            throw new PayloadException(Reason.MALFORMED_JSON, "a hook payload must be a JSON object");
        }
        final String hook = requiredText(payload, "hook_event_name");
        final Event.Builder event = Event.builder()
                .time(time(payload, receivedNanos))
                .set(StandardFields.EVT_SOURCE, "agent");
        identity.apply(event, key -> JsonTree.at(payload, key));
        switch (hook) {
            case "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest" -> toolCall(payload, hook, event);
            default -> event.set(StandardFields.EVT_TYPE, "platform_access")
                    .set(StandardFields.PLATFORM_OP, snakeCase(hook))
                    .set(StandardFields.PLATFORM_OUTCOME, "success")
                    .set(StandardFields.EVT_RES, "SUCCESS");
        }
        for (final Map.Entry<String, Object> entry : payload.entrySet()) {
            if (entry.getValue() != null) {
                event.extra(entry.getKey(), extra(entry.getValue()));
            }
        }
        return event.build();
    }

    private static void toolCall(final Map<String, Object> payload, final String hook, final Event.Builder event)
            throws PayloadException {
        final String toolName = requiredText(payload, "tool_name");
        final Map<String, Object> input = JsonTree.object(payload.get("tool_input"));
        event.set(StandardFields.EVT_TYPE, "tool_call");
        if (toolName.startsWith(MCP_PREFIX) && toolName.indexOf("__", MCP_PREFIX.length()) > MCP_PREFIX.length()) {
            final int split = toolName.indexOf("__", MCP_PREFIX.length());
            event.set(StandardFields.TOOL_NAME, toolName.substring(MCP_PREFIX.length(), split));
            event.set(StandardFields.TOOL_ACTION, toolName.substring(split + 2));
        } else {
            event.set(StandardFields.TOOL_NAME, toolName);
            event.set(StandardFields.TOOL_ACTION, BuiltinTool.action(toolName));
            event.set(StandardFields.TOOL_RESOURCE, BuiltinTool.resource(toolName, input));
        }
        switch (hook) {
            case "PermissionRequest" -> event.set(StandardFields.TOOL_OUTCOME, "approval_required");
            case "PostToolUseFailure" -> outcome(event, "error", JsonTree.text(payload.get("error")));
            case "PostToolUse" -> {
                if (failed(payload.get("tool_response"))) {
                    outcome(event, "error", "tool_response reports an error");
                } else {
                    outcome(event, "allowed", null);
                }
            }
            default -> {
                // PreToolUse: the permission system has not spoken yet.
            }
        }
        if ("PreToolUse".equals(hook) && "Bash".equals(toolName) && input != null) {
            final String command = JsonTree.text(input.get("command"));
            if (command != null) {
                Commands.describe(command.strip(), event);
                final String cwd = JsonTree.text(payload.get("cwd"));
                if (cwd != null) {
                    event.set(StandardFields.PROC_CWD, cwd);
                }
            }
        }
    }

    private static void outcome(final Event.Builder event, final String outcome, final String reason) {
        event.set(StandardFields.TOOL_OUTCOME, outcome);
        event.set(StandardFields.EVT_RES, "allowed".equals(outcome) ? "SUCCESS" : "EIO");
        if (reason != null) {
            event.set(StandardFields.TOOL_REASON, reason);
        }
    }

    /** Whether a {@code tool_response} reports failure the ways tools do: {@code is_error}, {@code success:false}, {@code error}. */
    private static boolean failed(final Object response) {
        final Map<String, Object> object = JsonTree.object(response);
        if (object == null) {
            return false;
        }
        return Boolean.TRUE.equals(object.get("is_error")) || Boolean.FALSE.equals(object.get("success"))
                || JsonTree.text(object.get("error")) != null;
    }

    private static long time(final Map<String, Object> payload, final long receivedNanos) throws PayloadException {
        final Object given = payload.get(TIME_KEY);
        if (given == null) {
            return receivedNanos;
        }
        if (given instanceof String text) {
            try {
                return Timestamps.parseRfc3339(text);
            } catch (final IllegalArgumentException e) {
                throw new PayloadException(Reason.INVALID_VALUE, "key '" + TIME_KEY + "' must be an RFC 3339 timestamp: "
                        + e.getMessage());
            }
        }
        throw new PayloadException(Reason.INVALID_VALUE, "key '" + TIME_KEY + "' must be an RFC 3339 timestamp string");
    }

    private static String requiredText(final Map<String, Object> payload, final String key) throws PayloadException {
        final Object value = payload.get(key);
        if (value == null) {
            throw new PayloadException(Reason.MISSING_FIELD, "hook payload has no '" + key + "'");
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw new PayloadException(Reason.INVALID_VALUE, "key '" + key + "' must be a non-empty string");
        }
        return text;
    }

    private static Object extra(final Object value) {
        return value instanceof Map<?, ?> || value instanceof List<?> ? JsonTree.write(value) : value;
    }

    /** {@code UserPromptSubmit} as {@code user_prompt_submit}. */
    static String snakeCase(final String name) {
        final StringBuilder snake = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(name.charAt(i - 1))) {
                snake.append('_');
            }
            snake.append(Character.toLowerCase(c));
        }
        return snake.toString().toLowerCase(Locale.ROOT);
    }
}
