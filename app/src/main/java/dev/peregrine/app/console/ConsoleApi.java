package dev.peregrine.app.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.suppress.Suppression;
import dev.peregrine.alerting.suppress.SuppressionList;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.BearerTokens;
import dev.peregrine.collector.ingest.TokenBinding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's JSON API: {@code /v1/alerts}, {@code /v1/agents}, {@code /v1/suppressions}
 * (README "Analyst console"), each behind the ingest API's bearer tokens. A request it refuses
 * is answered with a JSON {@code error} and {@code message}, counted by status and logged.
 */
final class ConsoleApi {

    static final String ALERTS_PATH = "/v1/alerts";
    static final String AGENTS_PATH = "/v1/agents";
    static final String SUPPRESSIONS_PATH = "/v1/suppressions";
    /** A rule by id; {@code /v1/rules/reload} (a longer context) stays the reload handler's. */
    static final String RULES_PATH = "/v1/rules/";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleApi.class);
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final int TIMELINE_CONTEXT = 20;
    private static final int MAX_EVIDENCE = 50;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int RECENT_PER_AGENT = 5;
    private static final int MAX_BUCKETS = 120;
    private static final Duration MAX_SUPPRESSION = Duration.ofDays(365);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    private final BearerTokens auth;
    private final AlertLog alerts;
    private final EventWindow events;
    private final SuppressionList suppressions;
    private final ConsoleAuditEvents audit;
    private final LearnedState learned;
    private final RuleCatalog rules;
    private final KibanaLink kibana;
    private final Clock clock;
    /** A refused request abandons its half-written answer: closing it must not try to complete it. */
    private final JsonFactory json = JsonFactory.builder().disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_CONTENT).build();
    private final AlertJson alertJson = new AlertJson();
    private final Map<Integer, LongAdder> requestsByStatus = new ConcurrentHashMap<>();

    ConsoleApi(final List<TokenBinding> tokens, final AlertLog alerts, final EventWindow events,
               final SuppressionList suppressions, final ConsoleAuditEvents audit, final LearnedState learned,
               final RuleCatalog rules, final KibanaLink kibana, final Clock clock) {
        this.auth = new BearerTokens(tokens);
        this.alerts = alerts;
        this.events = events;
        this.suppressions = suppressions;
        this.audit = audit;
        this.learned = learned;
        this.rules = rules;
        this.kibana = kibana;
        this.clock = clock;
    }

    /** Adds the API's paths to {@code server}. */
    void mount(final HttpServer server) {
        server.createContext(ALERTS_PATH, exchange -> serve(exchange, this::alerts));
        server.createContext(AGENTS_PATH, exchange -> serve(exchange, this::agents));
        server.createContext(SUPPRESSIONS_PATH, exchange -> serve(exchange, this::suppressions));
        server.createContext(RULES_PATH, exchange -> serve(exchange, this::rule));
    }

    /** Requests answered so far, by HTTP status. */
    Map<Integer, Long> requestsByStatus() {
        final Map<Integer, Long> counts = new TreeMap<>();
        requestsByStatus.forEach((status, count) -> counts.put(status, count.sum()));
        return counts;
    }

    /** A refused request: its status, a stable error label and what the client should do. */
    private static final class Refused extends Exception {
        private final int status;
        private final String error;

        Refused(final int status, final String error, final String message) {
            super(message, null, false, false);
            this.status = status;
            this.error = error;
        }
    }

    /** Writes the answer of an authenticated request. */
    private interface Route {
        void answer(HttpExchange exchange, TokenBinding token, String rest, JsonGenerator out) throws IOException, Refused;
    }

    private void serve(final HttpExchange exchange, final Route route) throws IOException {
        // the exchange is closed after the answer, refusals included (a resource closes before catch runs)
        try (exchange) {
            answer(exchange, route);
        }
    }

    private void answer(final HttpExchange exchange, final Route route) throws IOException {
        try {
            final Optional<TokenBinding> token = auth.authenticate(exchange);
            if (token.isEmpty()) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"peregrine\"");
                throw new Refused(401, "unauthorized", "send a configured token as 'Authorization: Bearer <token>'");
            }
            final String path = exchange.getRequestURI().getPath();
            final String context = exchange.getHttpContext().getPath();
            final String rest = path.length() > context.length() ? path.substring(context.length()) : "";
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (JsonGenerator out = json.createGenerator(body)) {
                route.answer(exchange, token.get(), rest, out);
            }
            send(exchange, 200, body.toByteArray());
        } catch (final Refused refused) {
            LOG.debug("console API refused {} {}: {} ({})", exchange.getRequestMethod(), exchange.getRequestURI(),
                    refused.error, refused.getMessage());
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (JsonGenerator out = json.createGenerator(body)) {
                out.writeStartObject();
                out.writeStringField("error", refused.error);
                out.writeStringField("message", refused.getMessage());
                out.writeEndObject();
            }
            send(exchange, refused.status, body.toByteArray());
        } catch (final RuntimeException e) {
            // a bug of ours, not the client's: answered and logged, never a dropped connection
            LOG.error("console API failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            send(exchange, 500, "{\"error\":\"internal\",\"message\":\"see the Peregrine log\"}"
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private void send(final HttpExchange exchange, final int status, final byte[] body) throws IOException {
        requestsByStatus.computeIfAbsent(status, code -> new LongAdder()).increment();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    // ---- /v1/rules/{id} -----------------------------------------------------------------------

    private void rule(final HttpExchange exchange, final TokenBinding token, final String rest,
                      final JsonGenerator out) throws IOException, Refused {
        requireMethod(exchange.getRequestMethod(), "GET");
        final String id = id(rest);
        if (!rules.write(id, out)) {
            throw new Refused(404, "not_found", "no running rule, cep item or built-in detection " + id);
        }
    }

    // ---- /v1/alerts -------------------------------------------------------------------------

    private void alerts(final HttpExchange exchange, final TokenBinding token, final String rest,
                        final JsonGenerator out) throws IOException, Refused {
        final String method = exchange.getRequestMethod();
        final Map<String, String> query = query(exchange);
        if (rest.isEmpty() || rest.equals("/")) {
            requireMethod(method, "GET");
            listAlerts(query, out);
        } else if (rest.equals("/counts")) {
            requireMethod(method, "GET");
            countAlerts(query, out);
        } else if (rest.endsWith("/ack")) {
            requireMethod(method, "POST");
            final String id = id(rest.substring(1, rest.length() - "/ack".length()));
            final AlertLog.Entry acked = alerts.acknowledge(id, token.name(), clock.instant())
                    .orElseThrow(() -> notFound("alert", id));
            audit.acknowledged(acked.alert(), token.name());
            writeEntry(acked, out);
        } else {
            requireMethod(method, "GET");
            final String id = id(rest.substring(1));
            final AlertLog.Entry entry = alerts.get(id).orElseThrow(() -> notFound("alert", id));
            alertDetail(entry, out);
        }
    }

    private void listAlerts(final Map<String, String> query, final JsonGenerator out) throws IOException, Refused {
        final AlertLog.Filter filter = filter(query);
        final int limit = limit(query.get("limit"));
        final Long cursor = query.containsKey("cursor") ? number("cursor", query.get("cursor")) : null;
        final AlertLog.Page page = alerts.page(filter, cursor, limit);
        out.writeStartObject();
        out.writeNumberField("matched", page.matched());
        if (page.nextCursor() == null) {
            out.writeNullField("next_cursor");
        } else {
            out.writeStringField("next_cursor", Long.toString(page.nextCursor()));
        }
        out.writeArrayFieldStart("alerts");
        for (final AlertLog.Entry entry : page.entries()) {
            writeEntry(entry, out);
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void countAlerts(final Map<String, String> query, final JsonGenerator out) throws IOException, Refused {
        final AlertLog.Filter filter = filter(query);
        final long bucketSeconds = query.containsKey("bucket") ? number("bucket", query.get("bucket")) : 60;
        if (bucketSeconds < 1) {
            throw new Refused(400, "bad_query", "bucket is a number of seconds, at least 1");
        }
        final long bucketNanos = bucketSeconds * 1_000_000_000L;
        final List<AlertLog.Entry> matching = alerts.newestFirst().stream().filter(filter).toList();
        final TreeMap<Long, Map<String, Long>> buckets = new TreeMap<>();
        for (final AlertLog.Entry entry : matching) {
            final long start = Math.floorDiv(entry.alert().timeNanos(), bucketNanos) * bucketNanos;
            buckets.computeIfAbsent(start, key -> new TreeMap<>())
                    .merge(entry.alert().priority().displayName(), entry.alert().count(), Long::sum);
        }
        while (buckets.size() > MAX_BUCKETS) {
            buckets.pollFirstEntry();
        }
        out.writeStartObject();
        out.writeNumberField("bucket_seconds", bucketSeconds);
        writeCounts(out, "by_rule", AlertLog.countBy(matching, Alert::ruleId));
        writeCounts(out, "by_priority", AlertLog.countBy(matching, alert -> alert.priority().displayName()));
        out.writeArrayFieldStart("buckets");
        for (final Map.Entry<Long, Map<String, Long>> bucket : buckets.entrySet()) {
            out.writeStartObject();
            out.writeStringField("start", AlertJson.formatTime(bucket.getKey()));
            writeCounts(out, "by_priority", bucket.getValue());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void alertDetail(final AlertLog.Entry entry, final JsonGenerator out) throws IOException {
        final EventWindow.Timeline timeline = events.around(entry.alert(), TIMELINE_CONTEXT, MAX_EVIDENCE);
        out.writeStartObject();
        writeEntryFields(entry, out);
        out.writeArrayFieldStart("mitre");
        for (final String tag : entry.alert().tags()) {
            if (tag.startsWith("mitre_") || tag.matches("T\\d{4}(\\.\\d{3})?")) {
                out.writeString(tag);
            }
        }
        out.writeEndArray();
        final String discover = kibana == null ? ""
                : kibana.discover(entry.alert().id(), Instant.ofEpochSecond(0, entry.alert().timeNanos()));
        if (discover.isEmpty()) {
            out.writeNullField("kibana_url");
        } else {
            out.writeStringField("kibana_url", discover);
        }
        writeEvents(out, "evidence", timeline.evidence());
        out.writeObjectFieldStart("timeline");
        writeEvents(out, "before", timeline.before());
        writeEvents(out, "after", timeline.after());
        out.writeEndObject();
        final List<Suppression> matching = suppressions.all().stream()
                .filter(suppression -> suppression.matches(entry.alert())).toList();
        out.writeArrayFieldStart("suppressed_by");
        for (final Suppression suppression : matching) {
            writeSuppression(suppression, out);
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void writeEntry(final AlertLog.Entry entry, final JsonGenerator out) throws IOException {
        out.writeStartObject();
        writeEntryFields(entry, out);
        out.writeEndObject();
    }

    private void writeEntryFields(final AlertLog.Entry entry, final JsonGenerator out) throws IOException {
        out.writeFieldName("alert");
        alertJson.write(entry.alert(), out);
        out.writeStringField("cursor", Long.toString(entry.seq()));
        if (entry.ack() == null) {
            out.writeNullField("ack");
        } else {
            out.writeObjectFieldStart("ack");
            out.writeStringField("by", entry.ack().by());
            out.writeStringField("at", entry.ack().at().toString());
            out.writeEndObject();
        }
    }

    /** Events as objects of field name to value, registered fields first, {@code evt.time} in epoch nanoseconds. */
    private static void writeEvents(final JsonGenerator out, final String name, final List<Event> list)
            throws IOException {
        out.writeArrayFieldStart(name);
        for (final Event event : list) {
            out.writeStartObject();
            for (final Map.Entry<String, Object> field : event.toMap().entrySet()) {
                out.writeFieldName(field.getKey());
                final Object value = field.getValue();
                if (value instanceof Long number) {
                    out.writeNumber(number);
                } else if (value instanceof Integer number) {
                    out.writeNumber(number);
                } else if (value instanceof Double number) {
                    out.writeNumber(number);
                } else if (value instanceof Boolean bool) {
                    out.writeBoolean(bool);
                } else {
                    out.writeString(String.valueOf(value));
                }
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    // ---- /v1/agents -------------------------------------------------------------------------

    private void agents(final HttpExchange exchange, final TokenBinding token, final String rest,
                        final JsonGenerator out) throws IOException, Refused {
        requireMethod(exchange.getRequestMethod(), "GET");
        if (!rest.isEmpty() && !rest.equals("/")) {
            throw new Refused(404, "not_found", "no such path; GET " + AGENTS_PATH + " lists every agent session");
        }
        final Map<String, SessionView> sessions = new TreeMap<>();
        for (final EventWindow.SessionActivity activity : events.sessions()) {
            sessions.computeIfAbsent(key(activity.agent(), activity.session()),
                    key -> new SessionView(activity.agent(), activity.session())).activity = activity;
        }
        for (final AlertLog.Entry entry : alerts.newestFirst()) {
            final Alert alert = entry.alert();
            if (alert.agent().isEmpty() && alert.session().isEmpty()) {
                continue;
            }
            final SessionView view = sessions.computeIfAbsent(key(alert.agent(), alert.session()),
                    key -> new SessionView(alert.agent(), alert.session()));
            view.byPriority.merge(alert.priority().displayName(), alert.count(), Long::sum);
            view.alerts += alert.count();
            if (entry.ack() == null) {
                view.open++;
            }
            if (view.recent.size() < RECENT_PER_AGENT) {
                view.recent.add(entry);
            }
        }
        final LearnedState.Snapshot snapshot = learned.read();
        out.writeStartObject();
        out.writeArrayFieldStart("agents");
        for (final SessionView view : sessions.values()) {
            out.writeStartObject();
            out.writeStringField("agent", view.agent);
            out.writeStringField("session", view.session);
            out.writeNumberField("alerts", view.alerts);
            out.writeNumberField("open_alerts", view.open);
            writeCounts(out, "alerts_by_priority", view.byPriority);
            if (view.activity != null) {
                out.writeNumberField("events_in_window", view.activity.events());
                out.writeStringField("first_event", AlertJson.formatTime(view.activity.firstTimeNanos()));
                out.writeStringField("last_event", AlertJson.formatTime(view.activity.lastTimeNanos()));
            } else {
                out.writeNumberField("events_in_window", 0);
            }
            out.writeArrayFieldStart("recent_alerts");
            for (final AlertLog.Entry entry : view.recent) {
                writeEntry(entry, out);
            }
            out.writeEndArray();
            writeLearned(snapshot.agents().get(view.agent), out);
            out.writeEndObject();
        }
        out.writeEndArray();
        if (snapshot.asOf() == null) {
            out.writeNullField("learned_as_of");
        } else {
            out.writeStringField("learned_as_of", snapshot.asOf().toString());
        }
        out.writeNumberField("events_in_window", events.size());
        out.writeNumberField("events_evicted", events.evicted());
        out.writeEndObject();
    }

    /** The agent's baseline and usual hours as the state's last snapshot has them, or null. */
    private static void writeLearned(final LearnedState.Agent agent, final JsonGenerator out) throws IOException {
        if (agent == null) {
            out.writeNullField("learned");
            return;
        }
        out.writeObjectFieldStart("learned");
        if (agent.volume() != null) {
            out.writeObjectFieldStart("volume_baseline");
            out.writeStringField("since", AlertJson.formatTime(agent.volume().firstSeen()));
            out.writeNumberField("mean_events_per_window", agent.volume().mean());
            out.writeNumberField("windows", agent.volume().windows());
            out.writeBooleanField("spiking", agent.volume().spiking());
            out.writeEndObject();
        }
        if (agent.activeMinutes() != null) {
            out.writeArrayFieldStart("active_minutes_by_hour");
            for (final long minutes : agent.activeMinutes()) {
                out.writeNumber(minutes);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }

    /** One agent session as the agents view shows it. */
    private static final class SessionView {
        private final String agent;
        private final String session;
        private final Map<String, Long> byPriority = new LinkedHashMap<>();
        private final List<AlertLog.Entry> recent = new ArrayList<>();
        private EventWindow.SessionActivity activity;
        private long alerts;
        private long open;

        SessionView(final String agent, final String session) {
            this.agent = agent;
            this.session = session;
        }
    }

    private static String key(final String agent, final String session) {
        return agent + '\u0000' + session;
    }

    // ---- /v1/suppressions -------------------------------------------------------------------

    private void suppressions(final HttpExchange exchange, final TokenBinding token, final String rest,
                              final JsonGenerator out) throws IOException, Refused {
        final String method = exchange.getRequestMethod();
        if (rest.isEmpty() || rest.equals("/")) {
            if (method.equals("GET")) {
                out.writeStartObject();
                out.writeArrayFieldStart("suppressions");
                for (final Suppression suppression : suppressions.all()) {
                    writeSuppression(suppression, out);
                }
                out.writeEndArray();
                writeCounts(out, "suppressed_by_rule", suppressions.suppressedByRule());
                out.writeEndObject();
                return;
            }
            requireMethod(method, "POST");
            final Suppression added = parseSuppression(exchange, token);
            suppressions.add(added, token.name());
            LOG.info("suppression {} of rule {} {} added by {} until {}: {}", added.id(), added.ruleId(),
                    added.match(), token.name(), added.expires(), added.reason());
            writeSuppression(added, out);
            return;
        }
        requireMethod(method, "DELETE");
        final String id = id(rest.substring(1));
        final Suppression removed = suppressions.remove(id, token.name()).orElseThrow(() -> notFound("suppression", id));
        LOG.info("suppression {} of rule {} removed by {}", removed.id(), removed.ruleId(), token.name());
        writeSuppression(removed, out);
    }

    private void writeSuppression(final Suppression suppression, final JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", suppression.id());
        out.writeStringField("rule_id", suppression.ruleId());
        out.writeObjectFieldStart("match");
        for (final Map.Entry<String, String> key : suppression.match().entrySet()) {
            out.writeStringField(key.getKey(), key.getValue());
        }
        out.writeEndObject();
        out.writeStringField("expires", suppression.expires().toString());
        out.writeStringField("reason", suppression.reason());
        out.writeStringField("created_by", suppression.createdBy());
        out.writeStringField("created", suppression.created().toString());
        out.writeBooleanField("active", suppressions.active(suppression));
        out.writeNumberField("suppressed", suppressions.hits(suppression.id()));
        out.writeEndObject();
    }

    /**
     * {@code {"rule_id": "...", "match": {"agent": "..."}, "expires": "RFC 3339" | "duration": "PT1H",
     * "reason": "..."}}, or {@code "alert_id"} with {@code "keys": [...]} to take the rule and key
     * values from a kept alert.
     */
    private Suppression parseSuppression(final HttpExchange exchange, final TokenBinding token)
            throws IOException, Refused {
        final byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new Refused(413, "body_too_large", "a suppression is at most " + MAX_BODY_BYTES + " bytes");
        }
        final Map<String, String> fields = new HashMap<>();
        final Map<String, String> match = new LinkedHashMap<>();
        final List<String> keys = new ArrayList<>();
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new Refused(400, "bad_json", "send one JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String name = parser.currentName();
                final JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT && name.equals("match")) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        final String key = parser.currentName();
                        if (!parser.nextToken().isScalarValue()) {
                            throw new Refused(400, "bad_json", "match." + key + " must be a string");
                        }
                        match.put(key, parser.getText());
                    }
                } else if (value == JsonToken.START_ARRAY && name.equals("keys")) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        keys.add(parser.getText());
                    }
                } else if (value.isScalarValue()) {
                    fields.put(name, parser.getText());
                } else {
                    throw new Refused(400, "bad_json", "unexpected field '" + name + "'");
                }
            }
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Refused(400, "bad_json", "not JSON: " + e.getOriginalMessage());
        }
        String ruleId = fields.get("rule_id");
        final String alertId = fields.get("alert_id");
        if (alertId != null) {
            final Alert alert = alerts.get(alertId).orElseThrow(() -> notFound("alert", alertId)).alert();
            if (ruleId != null && !ruleId.equals(alert.ruleId())) {
                throw new Refused(400, "bad_suppression", "rule_id " + ruleId + " is not the rule of alert " + alertId);
            }
            ruleId = alert.ruleId();
            for (final String key : keys) {
                final String value = Suppression.keyValue(alert, key);
                if (value == null) {
                    throw new Refused(400, "bad_suppression", "alert " + alertId + " has no field '" + key + "'");
                }
                match.putIfAbsent(key, value);
            }
        }
        if (ruleId == null || ruleId.isBlank()) {
            throw new Refused(400, "bad_suppression", "give rule_id (or alert_id) of the alerts to suppress");
        }
        final String reason = fields.get("reason");
        if (reason == null || reason.isBlank()) {
            throw new Refused(400, "bad_suppression", "give a reason: a later reader must be able to judge it");
        }
        final Instant now = clock.instant();
        final Instant expires = expiry(fields, now);
        return new Suppression("sup-" + UUID.randomUUID().toString().substring(0, 8), ruleId, match, expires,
                reason.strip(), token.name(), now);
    }

    private static Instant expiry(final Map<String, String> fields, final Instant now) throws Refused {
        final Instant expires;
        try {
            if (fields.containsKey("expires")) {
                expires = Instant.parse(fields.get("expires"));
            } else if (fields.containsKey("duration")) {
                expires = now.plus(Duration.parse(fields.get("duration")));
            } else {
                throw new Refused(400, "bad_suppression", "give expires (RFC 3339) or duration (ISO 8601, e.g. PT4H)");
            }
        } catch (final DateTimeParseException e) {
            throw new Refused(400, "bad_suppression", "expires is an RFC 3339 time (2026-11-27T18:00:00Z), "
                    + "duration an ISO 8601 duration (PT4H): " + e.getParsedString());
        }
        if (!expires.isAfter(now)) {
            throw new Refused(400, "bad_suppression", "expires " + expires + " is not in the future");
        }
        if (expires.isAfter(now.plus(MAX_SUPPRESSION))) {
            throw new Refused(400, "bad_suppression", "a suppression lasts at most a year; decide again then");
        }
        return expires;
    }

    // ---- request parts ----------------------------------------------------------------------

    private static void requireMethod(final String method, final String allowed) throws Refused {
        if (!method.equals(allowed)) {
            throw new Refused(405, "method_not_allowed", method + " is not allowed here; use " + allowed);
        }
    }

    private static String id(final String text) throws Refused {
        if (!ID.matcher(text).matches()) {
            throw new Refused(404, "not_found", "no such path");
        }
        return text;
    }

    private static Refused notFound(final String what, final String id) {
        return new Refused(404, "not_found", "no " + what + " " + id + " (alerts are kept while they are recent)");
    }

    private static AlertLog.Filter filter(final Map<String, String> query) throws Refused {
        Priority priority = null;
        if (query.containsKey("priority") && !query.get("priority").isBlank()) {
            priority = Priority.parse(query.get("priority")).orElseThrow(() -> new Refused(400, "bad_query",
                    "unknown priority '" + query.get("priority") + "' (Emergency … Debug)"));
        }
        Boolean acked = null;
        if (query.containsKey("acked") && !query.get("acked").isBlank()) {
            acked = Boolean.parseBoolean(query.get("acked"));
        }
        return new AlertLog.Filter(priority, query.get("rule"), query.get("agent"), query.get("session"),
                time("since", query.get("since")), time("until", query.get("until")), acked);
    }

    private static Long time(final String name, final String value) throws Refused {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            final Instant instant = Instant.parse(value);
            return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        } catch (final DateTimeParseException e) {
            throw new Refused(400, "bad_query", name + " is an RFC 3339 time, e.g. 2026-11-27T10:00:00Z");
        }
    }

    private static int limit(final String value) throws Refused {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        final long limit = number("limit", value);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new Refused(400, "bad_query", "limit is 1 to " + MAX_LIMIT);
        }
        return (int) limit;
    }

    private static long number(final String name, final String value) throws Refused {
        try {
            return Long.parseLong(value.strip());
        } catch (final NumberFormatException e) {
            throw new Refused(400, "bad_query", name + " must be a whole number");
        }
    }

    private static Map<String, String> query(final HttpExchange exchange) throws Refused {
        final Map<String, String> query = new HashMap<>();
        final String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (final String part : raw.split("&")) {
            final int equals = part.indexOf('=');
            try {
                final String name = URLDecoder.decode(equals < 0 ? part : part.substring(0, equals),
                        StandardCharsets.UTF_8);
                query.put(name, equals < 0 ? "" : URLDecoder.decode(part.substring(equals + 1), StandardCharsets.UTF_8));
            } catch (final IllegalArgumentException e) {
                throw new Refused(400, "bad_query", "the query string is not URL-encoded: " + e.getMessage());
            }
        }
        return query;
    }

    private static void writeCounts(final JsonGenerator out, final String name, final Map<String, Long> counts)
            throws IOException {
        out.writeObjectFieldStart(name);
        for (final Map.Entry<String, Long> count : counts.entrySet()) {
            out.writeNumberField(count.getKey(), count.getValue());
        }
        out.writeEndObject();
    }
}
