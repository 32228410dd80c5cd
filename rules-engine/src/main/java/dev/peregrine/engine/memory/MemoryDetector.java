package dev.peregrine.engine.memory;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.detect.RateBaseline;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code memory_anomaly}: watches {@code memory_write} and {@code memory_read} agent events.
 *
 * <p>A write is judged once by {@link MemoryJudge} (namespace policy and what {@link ContentAnalyzer}
 * finds in {@code memory.content}, the same code {@code POST /v1/memory/check} answers with), plus
 * oversize against the agent's norm, and raises at most one alert listing every finding; its rule
 * id is the variant of the most serious finding, e.g. {@code memory_anomaly.instruction}. A write
 * whose findings taint it is remembered by namespace, key and content hash in the
 * {@value #TAINT_STORE} store; a later read of that content by another agent, or by the writer in
 * another session, raises {@code memory_anomaly.tainted_read} once per reader with the lineage (who
 * wrote it, when, which findings). A clean rewrite of the entry clears the taint.
 *
 * <p>A read of a namespace the reader may not read (not its own, not shared, not in its
 * {@code namespaces} or {@code read_namespaces}) raises {@code memory_anomaly.cross_namespace_read}
 * once per agent and namespace in each {@code read_alert_window}, not once per read.
 *
 * <p>Write bursts are judged by the same {@link RateBaseline} as {@code volume_spike}, per agent
 * ({@code write_burst}) and per session ({@code session_write_burst}: one session of many bursting
 * while the agent's total stays within its baseline); a session burst is not reported while its
 * agent's burst is.
 *
 * <p>Every read and write goes to the {@link MemoryAudit} given at construction, flagged or not.
 * Alerts carry the entry's SHA-256 and a short excerpt around the evidence with secrets masked,
 * never the content itself.
 */
public final class MemoryDetector implements Detector {

    /** The rule id prefix of every variant. */
    public static final String RULE_ID = "memory_anomaly";
    /** Flagged entries. */
    public static final String TAINT_STORE = "memory_anomaly.taint";
    /** Per-agent write-rate baselines. */
    public static final String RATE_STORE = "memory_anomaly.write_rate";
    /** Per-agent write-size norms. */
    public static final String SIZE_STORE = "memory_anomaly.size";
    /** Per-session write-rate baselines, by agent and session. */
    public static final String SESSION_RATE_STORE = "memory_anomaly.session_write_rate";
    /** The window in which each (agent, namespace) last raised a cross-namespace read alert. */
    public static final String CROSS_READ_STORE = "memory_anomaly.cross_read";

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "memory", "llm_memory_poisoning",
            "mitre_persistence");
    private static final long SWEEP_EVERY = Duration.ofHours(1).toNanos();
    // An agent silent this long is forgotten; its rate baseline would have decayed to nothing anyway.
    private static final long FORGET_AFTER = Duration.ofDays(30).toNanos();
    // Sessions end; one silent for a day is over, and its baseline with it.
    private static final long FORGET_SESSION_AFTER = Duration.ofDays(1).toNanos();
    private static final StateCodec<Long> WINDOW_CODEC = new StateCodec<>() {
        @Override
        public String encode(final Long windowStart) {
            return Long.toString(windowStart);
        }

        @Override
        public Long decode(final String text) {
            return Long.parseLong(text);
        }
    };

    private final PerAgent<MemoryAnomalySettings> settings;
    private final MemoryJudge judge;
    private final MemoryAudit audit;
    private final KeyValueStore<Taint> taints;
    private final KeyValueStore<RateBaseline> rates;
    private final KeyValueStore<RateBaseline> sessionRates;
    private final KeyValueStore<SizeNorm> sizes;
    private final KeyValueStore<Long> crossReads;
    private final long taintTtl;
    private final long readAlertWindow;
    private long nextSweep = Long.MIN_VALUE;

    /** A detector that audits to nowhere. */
    public MemoryDetector(final PerAgent<MemoryAnomalySettings> settings, final StateStore state) {
        this(settings, state, MemoryAudit.NONE);
    }

    /** A detector that tells {@code audit} of every memory read and write it sees. */
    public MemoryDetector(final PerAgent<MemoryAnomalySettings> settings, final StateStore state,
                          final MemoryAudit audit) {
        this.settings = settings;
        this.judge = new MemoryJudge(settings);
        this.audit = audit;
        this.taints = state.keyValueStore(TAINT_STORE, Taint.CODEC);
        this.rates = state.keyValueStore(RATE_STORE, RateBaseline.CODEC);
        this.sessionRates = state.keyValueStore(SESSION_RATE_STORE, RateBaseline.CODEC);
        this.sizes = state.keyValueStore(SIZE_STORE, SizeNorm.CODEC);
        this.crossReads = state.keyValueStore(CROSS_READ_STORE, WINDOW_CODEC);
        long ttl = settings.global().taintTtl().toNanos();
        long window = settings.global().readAlertWindow().toNanos();
        for (final MemoryAnomalySettings s : settings.agents().values()) {
            ttl = Math.max(ttl, s.taintTtl().toNanos());
            window = Math.max(window, s.readAlertWindow().toNanos());
        }
        this.taintTtl = ttl;
        this.readAlertWindow = window;
    }

    /** How many entries are tainted now: for tests and the console. */
    public int taintedEntries() {
        return taints.size();
    }

    /** Whether the entry {@code namespace}/{@code key} is tainted now. */
    public boolean isTainted(final String namespace, final String key) {
        return taints.get(entryKey(namespace, key)) != null;
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final long now = event.timeNanos();
        sweep(now);
        final String type = event.getString(StandardFields.EVT_TYPE);
        final boolean write = "memory_write".equals(type);
        if (!write && !"memory_read".equals(type)) {
            return;
        }
        final String agent = MemoryJudge.agentKey(event);
        if (agent == null) {
            return;
        }
        audit.onOperation(write ? MemoryAudit.Operation.WRITE : MemoryAudit.Operation.READ, agent,
                event.getString(StandardFields.MEMORY_NAMESPACE));
        final MemoryAnomalySettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        if (write) {
            onWrite(event, agent, s, now, alerts);
        } else {
            onRead(event, agent, s, now, alerts);
        }
    }

    private void onWrite(final Event event, final String agent, final MemoryAnomalySettings s, final long now,
                         final Consumer<Alert> alerts) {
        final String namespace = event.getString(StandardFields.MEMORY_NAMESPACE);
        final String key = event.getString(StandardFields.MEMORY_KEY);
        final String content = event.getString(StandardFields.MEMORY_CONTENT);
        final String sha = MemoryJudge.sha256(event, content);
        final Long size = size(event, content);

        writeRate(event, agent, s, now, alerts);
        final List<Finding> findings = new ArrayList<>(judge.judge(agent, namespace, content));
        if (size != null) {
            final SizeNorm norm = sizes.get(agent);
            final boolean oversize = norm != null && norm.writes() >= s.sizeWarmupWrites()
                    && size >= Math.max(s.sizeFactor() * norm.mean(), s.minSize());
            if (oversize) {
                findings.add(new Finding(FindingKind.OVERSIZE, 0, 0, String.format(Locale.ROOT,
                        "%d bytes, %.1fx the agent's mean of %.0f", size, size / norm.mean(), norm.mean()), false));
            } else {
                sizes.put(agent, (norm == null ? new SizeNorm(0, 0) : norm).add(size));
            }
        }

        Alert alert = null;
        if (!findings.isEmpty()) {
            alert = writeAlert(event, agent, namespace, key, content, sha, size, findings);
            alerts.accept(alert);
        }
        if (namespace == null) {
            return;
        }
        final String entry = entryKey(namespace, key);
        final List<Finding> tainting = findings.stream().filter(Finding::taints).toList();
        if (!tainting.isEmpty() && sha != null) {
            taints.put(entry, new Taint(sha, agent, event.getString(StandardFields.AGENT_SESSION), now,
                    tainting.stream().map(Finding::describe).collect(Collectors.joining("; ")), alert.id(),
                    Set.of()));
        } else if (content != null || sha != null && taints.get(entry) != null && !sha.equals(taints.get(entry).sha256())) {
            // Clean content replaced the entry, or content we cannot see replaced the flagged one.
            taints.delete(entry);
        }
    }

    private void onRead(final Event event, final String agent, final MemoryAnomalySettings s, final long now,
                        final Consumer<Alert> alerts) {
        final String namespace = event.getString(StandardFields.MEMORY_NAMESPACE);
        if (namespace == null) {
            return;
        }
        final String key = event.getString(StandardFields.MEMORY_KEY);
        taintedRead(event, agent, namespace, key, alerts);
        if (!s.mayRead(agent, namespace)) {
            crossNamespaceRead(event, agent, namespace, key, s, now, alerts);
        }
    }

    private void taintedRead(final Event event, final String agent, final String namespace, final String key,
                             final Consumer<Alert> alerts) {
        final String entry = entryKey(namespace, key);
        final Taint taint = taints.get(entry);
        if (taint == null) {
            return;
        }
        final String sha = MemoryJudge.sha256(event, event.getString(StandardFields.MEMORY_CONTENT));
        if (sha != null && !sha.equals(taint.sha256())) {
            return;
        }
        final String session = event.getString(StandardFields.AGENT_SESSION);
        if (agent.equals(taint.writerAgent()) && Objects.equals(session, taint.writerSession())) {
            return;
        }
        final String reader = agent + "/" + (session == null ? "" : session);
        if (taint.readers().contains(reader)) {
            return;
        }
        taints.put(entry, taint.withReader(reader));
        final Map<String, Object> fields = identity(event);
        fields.put("memory.namespace", namespace);
        fields.put("memory.key", key);
        fields.put("memory.sha256", taint.sha256());
        fields.put("written_by", taint.writerAgent());
        fields.put("written_session", taint.writerSession());
        fields.put("written_at", AlertJson.formatTime(taint.writtenAt()));
        fields.put("write_alert_id", taint.writeAlertId());
        fields.put("findings", taint.findings());
        final String output = "Poisoned memory entry consumed: agent=" + agent + " session=" + session + " read "
                + namespace + "/" + key + " written by agent=" + taint.writerAgent() + " session="
                + taint.writerSession() + " at " + AlertJson.formatTime(taint.writtenAt()) + ", flagged for "
                + taint.findings();
        alerts.accept(alert(FindingKind.TAINTED_READ, "Poisoned LLM memory entry read",
                entry + "\u0000" + taint.sha256() + "\u0000" + reader, taint.writtenAt(), event, output, fields, 1,
                taint.writtenAt()));
    }

    /** One alert per agent, namespace and {@code read_alert_window}: the first read of it says enough. */
    private void crossNamespaceRead(final Event event, final String agent, final String namespace, final String key,
                                    final MemoryAnomalySettings s, final long now, final Consumer<Alert> alerts) {
        final long window = s.readAlertWindow().toNanos();
        final long windowStart = Math.floorDiv(now, window) * window;
        final String pair = agent + "\u0000" + namespace;
        final Long alerted = crossReads.get(pair);
        if (alerted != null && alerted == windowStart) {
            return;
        }
        crossReads.put(pair, windowStart);
        final Map<String, Object> fields = identity(event);
        fields.put("memory.namespace", namespace);
        fields.put("memory.key", key);
        fields.put("window_start", AlertJson.formatTime(windowStart));
        fields.put("window_seconds", s.readAlertWindow().toSeconds());
        fields.put("shared_namespaces", String.join(",", new TreeSet<>(s.sharedNamespaces())));
        final Set<String> listed = new TreeSet<>(s.namespaces());
        listed.addAll(s.readNamespaces());
        fields.put("readable_namespaces", String.join(",", listed));
        final String output = "Memory read outside the agent's namespaces: agent=" + agent + " session="
                + event.getString(StandardFields.AGENT_SESSION) + " read " + namespace + "/" + key + ", which is"
                + " neither its own, nor shared, nor listed for it (further reads of " + namespace + " by " + agent
                + " until " + AlertJson.formatTime(windowStart + window) + " are not alerted)";
        alerts.accept(alert(FindingKind.CROSS_NAMESPACE_READ, "LLM memory read outside the agent's namespaces", pair,
                windowStart, event, output, fields, 1, now));
    }

    private void writeRate(final Event event, final String agent, final MemoryAnomalySettings s, final long now,
                           final Consumer<Alert> alerts) {
        final RateBaseline.Step step = RateBaseline.count(rates.get(agent), now, s.writeBurst());
        rates.put(agent, step.baseline());
        if (step.spikeStarted()) {
            alerts.accept(burstAlert(FindingKind.WRITE_BURST, "LLM memory write burst", agent, "agent=" + agent, step,
                    s.writeBurst(), event));
        }
        final String session = event.getString(StandardFields.AGENT_SESSION);
        if (session == null) {
            return;
        }
        final String sessionKey = agent + "\u0000" + session;
        final RateBaseline.Knobs knobs = s.sessionWriteBurst();
        final RateBaseline.Step sessionStep = RateBaseline.count(sessionRates.get(sessionKey), now, knobs);
        sessionRates.put(sessionKey, sessionStep.baseline());
        // The agent's burst already says it: a single-session agent would otherwise alert twice for one burst.
        if (sessionStep.spikeStarted() && !step.baseline().spiking()) {
            alerts.accept(burstAlert(FindingKind.SESSION_WRITE_BURST, "LLM memory write burst in one session",
                    sessionKey, "agent=" + agent + " session=" + session, sessionStep, knobs, event));
        }
    }

    private static Alert burstAlert(final FindingKind kind, final String rule, final String groupingKey,
                                    final String who, final RateBaseline.Step step, final RateBaseline.Knobs knobs,
                                    final Event event) {
        final RateBaseline b = step.before();
        final long count = step.baseline().count();
        final Map<String, Object> fields = identity(event);
        fields.put("writes", count);
        fields.put("window_seconds", knobs.window().toSeconds());
        fields.put("window_start", AlertJson.formatTime(b.windowStart()));
        fields.put("baseline", Math.round(b.mean() * 100.0) / 100.0);
        fields.put("factor", knobs.factor());
        fields.put("min_events", knobs.minEvents());
        fields.put("baseline_windows", b.windows());
        final String output = String.format(Locale.ROOT,
                "Memory write burst: %s made %d memory writes in the window from %s, against a baseline of"
                        + " %.1f per window (threshold %sx and at least %d)", who, count,
                AlertJson.formatTime(b.windowStart()), b.mean(), knobs.factor(), knobs.minEvents());
        return alert(kind, rule, groupingKey, b.windowStart(), event, output, fields, count, b.windowStart());
    }

    private Alert writeAlert(final Event event, final String agent, final String namespace, final String key,
                             final String content, final String sha, final Long size, final List<Finding> findings) {
        final Finding primary = MemoryJudge.primary(findings);
        final Map<String, Object> fields = identity(event);
        fields.put("memory.namespace", namespace);
        fields.put("memory.key", key);
        fields.put("memory.sha256", sha);
        fields.put("memory.size", size);
        fields.put("finding_kinds", findings.stream().map(f -> f.kind().variant()).distinct()
                .collect(Collectors.joining(",")));
        fields.put("findings", findings.stream().map(Finding::describe).collect(Collectors.joining("; ")));
        final String excerpt = judge.excerpt(content, primary, findings);
        fields.put("excerpt", excerpt);
        final String output = "Anomalous memory write (" + primary.kind().variant() + "): agent=" + agent
                + " session=" + event.getString(StandardFields.AGENT_SESSION) + " wrote " + namespace + "/" + key
                + " sha256=" + (sha == null ? "?" : sha.substring(0, Math.min(12, sha.length()))) + ": "
                + findings.stream().map(Finding::describe).collect(Collectors.joining("; "))
                + (excerpt == null ? "" : "; evidence: " + excerpt);
        return alert(primary.kind(), "Anomalous LLM memory write", agent + "\u0000" + entryKey(namespace, key)
                + "\u0000" + sha, event.timeNanos(), event, output, fields, 1, event.timeNanos());
    }

    private static Alert alert(final FindingKind kind, final String rule, final String groupingKey,
                               final long windowStart, final Event event, final String output,
                               final Map<String, Object> fields, final long count, final long firstSeen) {
        final Priority priority = kind.priority();
        return new Alert(Alert.deterministicId(kind.ruleId(), groupingKey, windowStart), event.timeNanos(),
                kind.ruleId(), rule, priority, event.getString(StandardFields.EVT_SOURCE),
                event.getString(StandardFields.HOST_NAME), TAGS, output, fields,
                event.getString(StandardFields.AGENT_ID), event.getString(StandardFields.AGENT_SESSION), count,
                firstSeen, event.timeNanos());
    }

    private static Map<String, Object> identity(final Event event) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", event.getString(StandardFields.AGENT_ID));
        fields.put("agent.session", event.getString(StandardFields.AGENT_SESSION));
        fields.put("sandbox.id", event.getString(StandardFields.SANDBOX_ID));
        return fields;
    }

    private static String entryKey(final String namespace, final String key) {
        return namespace + "\u0000" + (key == null ? "" : key);
    }

    private static Long size(final Event event, final String content) {
        final Object size = event.get(StandardFields.MEMORY_SIZE);
        if (size instanceof Number number && number.longValue() >= 0) {
            return number.longValue();
        }
        return content == null ? null : Evidence.utf8Length(content);
    }

    private void sweep(final long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + SWEEP_EVERY;
        final List<String> expired = new ArrayList<>();
        taints.forEach((entry, taint) -> {
            if (now - taint.writtenAt() > taintTtl) {
                expired.add(entry);
            }
        });
        expired.forEach(taints::delete);
        final List<String> idle = new ArrayList<>();
        rates.forEach((agent, rate) -> {
            if (now - rate.windowStart() > FORGET_AFTER) {
                idle.add(agent);
            }
        });
        idle.forEach(rates::delete);
        final List<String> ended = new ArrayList<>();
        sessionRates.forEach((session, rate) -> {
            if (now - rate.windowStart() > FORGET_SESSION_AFTER) {
                ended.add(session);
            }
        });
        ended.forEach(sessionRates::delete);
        final List<String> past = new ArrayList<>();
        crossReads.forEach((pair, windowStart) -> {
            if (now - windowStart > readAlertWindow) {
                past.add(pair);
            }
        });
        past.forEach(crossReads::delete);
    }
}
