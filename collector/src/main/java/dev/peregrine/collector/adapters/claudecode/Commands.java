package dev.peregrine.collector.adapters.claudecode;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;

/**
 * A shell command line as process fields: {@code proc.cmdline} is the command as the agent
 * wrote it, {@code proc.name} the base name of its first word after leading
 * {@code VAR=value} assignments, {@code proc.args} the rest. The shell has not parsed it yet, so
 * this is what the agent asked for, not what will run (a pipeline's later commands stay in
 * {@code proc.args}).
 */
final class Commands {

    private Commands() {
    }

    static void describe(final String command, final Event.Builder event) {
        event.set(StandardFields.PROC_CMDLINE, command);
        int start = 0;
        while (start < command.length()) {
            start = skipSpaces(command, start);
            final int end = wordEnd(command, start);
            final String word = command.substring(start, end);
            if (end == start) {
                return;
            }
            if (isAssignment(word)) {
                start = end;
                continue;
            }
            final int slash = word.lastIndexOf('/');
            event.set(StandardFields.PROC_NAME, slash >= 0 && slash < word.length() - 1 ? word.substring(slash + 1) : word);
            event.set(StandardFields.PROC_ARGS, command.substring(skipSpaces(command, end)));
            return;
        }
    }

    private static boolean isAssignment(final String word) {
        final int eq = word.indexOf('=');
        if (eq <= 0) {
            return false;
        }
        for (int i = 0; i < eq; i++) {
            final char c = word.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_') || (i == 0 && Character.isDigit(c))) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpaces(final String text, final int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int wordEnd(final String text, final int from) {
        int i = from;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
