package dev.peregrine.app.console;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.engine.rules.CepRuleDef;
import dev.peregrine.engine.rules.RuleDef;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code GET /v1/rules/{id}} answers: a loaded rule or cep item as it runs (file, line, its
 * YAML, priority, tags, condition or EPL, output), or a built-in detection's description and its
 * section of {@code docs/detections.md}.
 */
final class RuleCatalog {

    /** Where the built-in detections are documented, relative to the repository (and the docs site). */
    static final String DETECTIONS_DOC = "docs/detections.md";

    /**
     * A built-in detection: the rule ids it raises are {@code id} and {@code id.<variant>} (or
     * {@code id_<finding>} for slopsquat's findings).
     */
    record BuiltIn(String id, String name, String description, String anchor) {

        boolean raises(final String ruleId) {
            return ruleId.equals(id) || ruleId.startsWith(id + ".") || ruleId.startsWith(id + "_");
        }
    }

    /** Anchors are GitHub's slugs of the headings in docs/detections.md. */
    static final List<BuiltIn> BUILT_INS = List.of(
            new BuiltIn("denied_burst", "A burst of permission denials",
                    "A session is denied many times in a short window (denied_burst), or on many distinct "
                            + "resources (denied_burst.probing): an agent probing what it may do.",
                    "denied_burst--a-burst-of-permission-denials"),
            new BuiltIn("volume_spike", "An agent suddenly does far more than usual",
                    "An agent's events in one minute reach a multiple of its own learned baseline.",
                    "volume_spike--an-agent-suddenly-does-far-more-than-usual"),
            new BuiltIn("off_hours", "Activity outside the agent's hours",
                    "An agent acts outside its configured or learned active hours.",
                    "off_hours--activity-outside-the-agents-hours"),
            new BuiltIn("new_resource", "First contact with something new",
                    "An agent touches a resource it has never touched, after its learning period.",
                    "new_resource--first-contact-with-something-new"),
            new BuiltIn("token_budget", "LLM spend against budgets",
                    "A session's or agent's daily LLM tokens cross a share of the budget (token_budget), or "
                            + "an agent makes too many LLM calls in a minute (token_budget.rate).",
                    "token_budget--llm-spend-against-budgets"),
            new BuiltIn("sensor_silent", "A source stops sending",
                    "A source on a sandbox that was sending goes quiet for longer than allowed.",
                    "sensor_silent--a-source-stops-sending"),
            new BuiltIn("memory_anomaly", "Poisoned or misplaced LLM-memory entries",
                    "A memory write that looks like an instruction, is tainted, oversized or too frequent, "
                            + "or a read outside the agent's namespaces.",
                    "memory_anomaly--poisoned-or-misplaced-llm-memory-entries"),
            new BuiltIn("slopsquat", "Invented, typosquatted or unpopular packages",
                    "A package install names a package that is not in the registry, is a near miss of a "
                            + "popular one, or is barely used; slopsquat_escalation follows what it does next.",
                    "slopsquat_escalation--a-flagged-package-does-something"));

    private final Supplier<RunningRules.Snapshot> rules;

    /** @param rules the running rules, asked again on every request (a reload replaces them) */
    RuleCatalog(final Supplier<RunningRules.Snapshot> rules) {
        this.rules = rules;
    }

    /** Writes rule {@code id} to {@code out}; false when no running rule, cep item or built-in detection has it. */
    boolean write(final String id, final JsonGenerator out) throws IOException {
        final RunningRules.Snapshot snapshot = rules.get();
        if (snapshot != null) {
            final Optional<RuleDef> rule = snapshot.rules().rules().stream().filter(r -> r.id().equals(id)).findFirst();
            if (rule.isPresent()) {
                writeRule(rule.get(), snapshot, out);
                return true;
            }
            final Optional<CepRuleDef> cep = snapshot.rules().cepRules().stream()
                    .filter(c -> c.id().equals(id)).findFirst();
            if (cep.isPresent()) {
                writeCep(cep.get(), snapshot, out);
                return true;
            }
        }
        final Optional<BuiltIn> builtIn = BUILT_INS.stream().filter(b -> b.raises(id)).findFirst();
        if (builtIn.isPresent()) {
            writeBuiltIn(id, builtIn.get(), out);
            return true;
        }
        return false;
    }

    private static void writeRule(final RuleDef rule, final RunningRules.Snapshot snapshot, final JsonGenerator out)
            throws IOException {
        out.writeStartObject();
        out.writeStringField("id", rule.id());
        out.writeStringField("kind", "rule");
        out.writeStringField("name", rule.name());
        out.writeStringField("description", rule.description());
        writeSource(rule.file(), rule.line(), snapshot, out);
        out.writeStringField("priority", rule.priority().displayName());
        writeTags(rule.tags(), out);
        out.writeStringField("condition", rule.condition());
        out.writeStringField("output", rule.output().text());
        out.writeStringField("source", rule.source());
        out.writeBooleanField("enabled", rule.enabled());
        out.writeEndObject();
    }

    private static void writeCep(final CepRuleDef cep, final RunningRules.Snapshot snapshot, final JsonGenerator out)
            throws IOException {
        out.writeStartObject();
        out.writeStringField("id", cep.id());
        out.writeStringField("kind", "cep");
        out.writeStringField("name", cep.name());
        out.writeStringField("description", cep.description());
        writeSource(cep.file(), cep.line(), snapshot, out);
        out.writeStringField("priority", cep.priority().displayName());
        writeTags(cep.tags(), out);
        out.writeStringField("epl", cep.epl());
        out.writeStringField("output", cep.output());
        out.writeBooleanField("enabled", cep.enabled());
        out.writeEndObject();
    }

    private static void writeBuiltIn(final String id, final BuiltIn builtIn, final JsonGenerator out)
            throws IOException {
        out.writeStartObject();
        out.writeStringField("id", id);
        out.writeStringField("kind", "detection");
        out.writeStringField("name", builtIn.name());
        out.writeStringField("description", builtIn.description());
        out.writeStringField("docs", DETECTIONS_DOC + "#" + builtIn.anchor());
        out.writeEndObject();
    }

    private static void writeSource(final String file, final int line, final RunningRules.Snapshot snapshot,
                                    final JsonGenerator out) throws IOException {
        out.writeStringField("file", file);
        out.writeNumberField("line", line);
        final String text = snapshot.texts().get(file);
        if (text == null) {
            out.writeNullField("yaml");
        } else {
            out.writeStringField("yaml", item(text, line));
        }
    }

    private static void writeTags(final List<String> tags, final JsonGenerator out) throws IOException {
        out.writeArrayFieldStart("tags");
        for (final String tag : tags) {
            out.writeString(tag);
        }
        out.writeEndArray();
    }

    /**
     * The item of a rule file's top-level list that starts at 1-based {@code line}: that line and
     * the ones after it up to the next item or top-level key, without trailing blank or comment lines.
     */
    static String item(final String text, final int line) {
        final String[] lines = text.split("\r?\n", -1);
        if (line < 1 || line > lines.length) {
            return "";
        }
        int end = line;
        while (end < lines.length) {
            final String next = lines[end];
            if (!next.isEmpty() && !Character.isWhitespace(next.charAt(0)) && !next.startsWith("#")) {
                break;
            }
            end++;
        }
        while (end > line && (lines[end - 1].isBlank() || lines[end - 1].stripLeading().startsWith("#"))) {
            end--;
        }
        return String.join("\n", Arrays.asList(lines).subList(line - 1, end)) + "\n";
    }
}
