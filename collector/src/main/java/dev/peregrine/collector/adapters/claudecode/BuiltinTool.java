package dev.peregrine.collector.adapters.claudecode;

import dev.peregrine.collector.adapters.JsonTree;
import java.util.Map;

/**
 * Claude Code's built-in tools in the house vocabulary of tool calls ({@code exec} of a command,
 * {@code read}/{@code write} of a file, {@code fetch} of a URL), so that rules written for other
 * agents read them too. Tools it does not know keep {@code tool.name} only.
 */
final class BuiltinTool {

    private BuiltinTool() {
    }

    /** {@code tool.action} of a built-in tool, or {@code null}. */
    static String action(final String tool) {
        return switch (tool) {
            case "Bash", "BashOutput", "KillShell" -> "exec";
            case "Read", "NotebookRead" -> "read";
            case "Write", "Edit", "MultiEdit", "NotebookEdit" -> "write";
            case "Glob", "Grep", "LS", "WebSearch" -> "search";
            case "WebFetch" -> "fetch";
            case "Task" -> "delegate";
            default -> null;
        };
    }

    /** {@code tool.resource} of a built-in tool's input: the command, file, URL or pattern it acts on; or {@code null}. */
    static String resource(final String tool, final Map<String, Object> input) {
        if (input == null) {
            return null;
        }
        final String key = switch (tool) {
            case "Bash" -> "command";
            case "Read", "Write", "Edit", "MultiEdit" -> "file_path";
            case "NotebookRead", "NotebookEdit" -> "notebook_path";
            case "Glob", "Grep" -> "pattern";
            case "LS" -> "path";
            case "WebFetch" -> "url";
            case "WebSearch" -> "query";
            case "Task" -> "subagent_type";
            default -> null;
        };
        return key == null ? null : JsonTree.text(input.get(key));
    }
}
