package dev.peregrine.alerting.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@link Alert} as an Elastic Common Schema document; the field table is in
 * {@code package-info.java}. Output fields with an ECS home go there; every other one is kept
 * under {@code peregrine.fields}, its dots turned into underscores so that {@code fd.sip} and
 * {@code fd.sip.name} cannot collide as a value and an object.
 */
public final class EcsDocument {

    /** The ECS version the documents and the index template follow. */
    public static final String ECS_VERSION = "8.17.0";

    /** Falco output field → ECS field, for string values. */
    private static final Map<String, String> STRING_FIELDS = Map.ofEntries(
            Map.entry("proc.name", "process.name"),
            Map.entry("proc.exe", "process.executable"),
            Map.entry("proc.cmdline", "process.command_line"),
            Map.entry("proc.cwd", "process.working_directory"),
            Map.entry("proc.pname", "process.parent.name"),
            Map.entry("proc.pcmdline", "process.parent.command_line"),
            Map.entry("user.name", "user.name"),
            Map.entry("user.uid", "user.id"),
            Map.entry("host.name", "host.name"),
            Map.entry("container.id", "container.id"),
            Map.entry("container.name", "container.name"),
            Map.entry("container.image.repository", "container.image.name"),
            Map.entry("fd.sip", "destination.address"),
            Map.entry("fd.sip.name", "destination.domain"),
            Map.entry("fd.l4proto", "network.transport"),
            Map.entry("http.method", "http.request.method"),
            Map.entry("http.url", "url.full"),
            Map.entry("sandbox.id", "peregrine.sandbox"));

    /** Falco output field → ECS field of type long; a value that is not a whole number stays in peregrine.fields. */
    private static final Map<String, String> NUMBER_FIELDS = Map.of(
            "proc.pid", "process.pid",
            "proc.ppid", "process.parent.pid",
            "fd.sport", "destination.port",
            "http.status", "http.response.status_code",
            "http.bytes_out", "http.request.bytes");

    /** Identity fields the alert carries at top level already. */
    private static final Set<String> ALREADY_TOP_LEVEL = Set.of("agent.id", "agent.session");

    private static final Pattern TECHNIQUE = Pattern.compile("T\\d{4}");
    private static final Pattern SUBTECHNIQUE = Pattern.compile("T\\d{4}\\.\\d{3}");
    private static final String MITRE_TACTIC_PREFIX = "mitre_";

    private final JsonFactory factory = JsonFactory.builder().build();

    /** The document's JSON as UTF-8 bytes. */
    public byte[] toJson(final Alert alert) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = factory.createGenerator(out)) {
            writeTree(json, toTree(alert));
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** The document as nested maps (keys in ECS order), for tests and for other encoders. */
    public Map<String, Object> toTree(final Alert alert) {
        final Map<String, Object> doc = new LinkedHashMap<>();
        put(doc, "@timestamp", AlertJson.formatTime(alert.timeNanos()));
        put(doc, "message", alert.output());
        put(doc, "ecs.version", ECS_VERSION);
        put(doc, "event.kind", "alert");
        put(doc, "event.id", alert.id());
        put(doc, "event.severity", severity(alert.priority()));
        put(doc, "event.module", "peregrine");
        put(doc, "event.dataset", "peregrine.alerts");
        putIfNotEmpty(doc, "event.provider", alert.source());
        put(doc, "event.start", AlertJson.formatTime(alert.firstSeenNanos()));
        put(doc, "event.end", AlertJson.formatTime(alert.lastSeenNanos()));
        put(doc, "rule.id", alert.ruleId());
        put(doc, "rule.name", alert.rule());
        // an alert carries its rendered output, not the rule's desc: the output says what happened
        putIfNotEmpty(doc, "rule.description", alert.output());
        put(doc, "rule.ruleset", "peregrine");
        if (!alert.tags().isEmpty()) {
            put(doc, "tags", alert.tags());
        }
        putThreat(doc, alert.tags());
        putIfNotEmpty(doc, "host.name", alert.hostname());

        final Map<String, Object> rest = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> field : alert.outputFields().entrySet()) {
            final String name = field.getKey();
            final Object value = field.getValue();
            if (value == null || ALREADY_TOP_LEVEL.contains(name) && String.valueOf(value).equals(topLevel(alert, name))) {
                continue;
            }
            final String number = NUMBER_FIELDS.get(name);
            final Long whole = number == null ? null : wholeNumber(value);
            if (whole != null) {
                put(doc, number, whole);
            } else if (STRING_FIELDS.containsKey(name) && number == null) {
                put(doc, STRING_FIELDS.get(name), String.valueOf(value));
            } else {
                rest.put(name.replace('.', '_'), value);
            }
        }

        put(doc, "peregrine.id", alert.id());
        put(doc, "peregrine.rule_id", alert.ruleId());
        put(doc, "peregrine.priority", alert.priority().displayName());
        putIfNotEmpty(doc, "peregrine.source", alert.source());
        putIfNotEmpty(doc, "peregrine.agent", alert.agent());
        putIfNotEmpty(doc, "peregrine.session", alert.session());
        put(doc, "peregrine.count", alert.count());
        put(doc, "peregrine.first_seen", AlertJson.formatTime(alert.firstSeenNanos()));
        put(doc, "peregrine.last_seen", AlertJson.formatTime(alert.lastSeenNanos()));
        if (!rest.isEmpty()) {
            put(doc, "peregrine.fields", rest);
        }
        return doc;
    }

    /**
     * ECS {@code event.severity}: Falco's priorities are syslog's levels, so their syslog numbers
     * (0 Emergency … 7 Debug), as Elastic's own syslog integrations fill it.
     */
    public static int severity(final Priority priority) {
        return priority.ordinal();
    }

    private static void putThreat(final Map<String, Object> doc, final List<String> tags) {
        final Set<String> techniques = new LinkedHashSet<>();
        final Set<String> subtechniques = new LinkedHashSet<>();
        final Set<String> tactics = new LinkedHashSet<>();
        for (final String tag : tags) {
            final String upper = tag.toUpperCase(Locale.ROOT);
            if (TECHNIQUE.matcher(upper).matches()) {
                techniques.add(upper);
            } else if (SUBTECHNIQUE.matcher(upper).matches()) {
                subtechniques.add(upper);
                // T1059.004 is a kind of T1059: search by technique finds it too
                techniques.add(upper.substring(0, 5));
            } else if (tag.toLowerCase(Locale.ROOT).startsWith(MITRE_TACTIC_PREFIX)
                    && tag.length() > MITRE_TACTIC_PREFIX.length()) {
                tactics.add(tacticName(tag.substring(MITRE_TACTIC_PREFIX.length())));
            }
        }
        if (techniques.isEmpty() && tactics.isEmpty()) {
            return;
        }
        put(doc, "threat.framework", "MITRE ATT&CK");
        if (!tactics.isEmpty()) {
            put(doc, "threat.tactic.name", new ArrayList<>(tactics));
        }
        if (!techniques.isEmpty()) {
            put(doc, "threat.technique.id", new ArrayList<>(techniques));
        }
        if (!subtechniques.isEmpty()) {
            put(doc, "threat.technique.subtechnique.id", new ArrayList<>(subtechniques));
        }
    }

    /** {@code credential_access} → {@code Credential Access}, ATT&CK's spelling. */
    private static String tacticName(final String slug) {
        final StringBuilder name = new StringBuilder(slug.length());
        for (final String word : slug.split("_")) {
            if (word.isEmpty()) {
                continue;
            }
            if (name.length() > 0) {
                name.append(' ');
            }
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }

    private static String topLevel(final Alert alert, final String name) {
        return "agent.id".equals(name) ? alert.agent() : alert.session();
    }

    private static Long wholeNumber(final Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            return ((Number) value).longValue();
        }
        if (value instanceof String text && text.matches("-?\\d{1,18}")) {
            return Long.parseLong(text);
        }
        return null;
    }

    private static void putIfNotEmpty(final Map<String, Object> doc, final String path, final String value) {
        if (value != null && !value.isEmpty()) {
            put(doc, path, value);
        }
    }

    /** Puts {@code value} at a dotted ECS path, creating the objects on the way. */
    @SuppressWarnings("unchecked")
    private static void put(final Map<String, Object> doc, final String path, final Object value) {
        if ("@timestamp".equals(path)) {
            doc.put(path, value);
            return;
        }
        final String[] parts = path.split("\\.");
        Map<String, Object> node = doc;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(parts[i], ignored -> new LinkedHashMap<String, Object>());
        }
        node.put(parts[parts.length - 1], value);
    }

    @SuppressWarnings("unchecked")
    private static void writeTree(final JsonGenerator json, final Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (final Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
                json.writeFieldName(entry.getKey());
                writeTree(json, entry.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (final Object item : list) {
                writeTree(json, item);
            }
            json.writeEndArray();
        } else if (value == null) {
            json.writeNull();
        } else if (value instanceof Long || value instanceof Integer) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else {
            json.writeString(value.toString());
        }
    }
}
