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
import dev.peregrine.engine.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code memory_anomaly}: watches {@code memory_write} and {@code memory_read} agent events.
 *
 * <p>A write is judged once and raises at most one alert listing every finding (namespace policy,
 * oversize, and what {@link ContentAnalyzer} finds in {@code memory.content}); its rule id is the
 * variant of the most serious finding, e.g. {@code memory_anomaly.instruction}. A write whose
 * findings taint it is remembered by namespace, key and content hash in the {@value #TAINT_STORE}
 * store; a later read of that content by another agent, or by the writer in another session,
 * raises {@code memory_anomaly.tainted_read} once per reader with the lineage (who wrote it,
 * when, which findings). A clean rewrite of the entry clears the taint. Write bursts are judged
 * per agent by the same {@link RateBaseline} as {@code volume_spike}.
 *
 * <p>Alerts carry the entry's SHA-256 and a short excerpt around the evidence with secrets
 * masked, never the content itself.
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

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "memory", "llm_memory_poisoning",
            "mitre_persistence");
    private static final long SWEEP_EVERY = Duration.ofHours(1).toNanos();
    // An agent silent this long is forgotten; its rate baseline would have decayed to nothing anyway.
    private static final long FORGET_AFTER = Duration.ofDays(30).toNanos();

    private final PerAgent<MemoryAnomalySettings> settings;
    private final ContentAnalyzer analyzer = new ContentAnalyzer();
    private final KeyValueStore<Taint> taints;
    private final KeyValueStore<RateBaseline> rates;
    private final KeyValueStore<SizeNorm> sizes;
    private final long taintTtl;
    private long nextSweep = Long.MIN_VALUE;

    public MemoryDetector(final PerAgent<MemoryAnomalySettings> settings, final StateStore state) {
        this.settings = settings;
        this.taints = state.keyValueStore(TAINT_STORE, Taint.CODEC);
        this.rates = state.keyValueStore(RATE_STORE, RateBaseline.CODEC);
        this.sizes = state.keyValueStore(SIZE_STORE, SizeNorm.CODEC);
        long ttl = settings.global().taintTtl().toNanos();
        for (final MemoryAnomalySettings s : settings.agents().values()) {
            ttl = Math.max(ttl, s.taintTtl().toNanos());
        }
        this.taintTtl = ttl;
    }

    /** How many entries are tainted now: for tests and the console. */
    public int taintedEntries() {
        return taints.size();
    }

    /** Whether the entry {@code namespace}/{@code key} is tainted now. */
    public boolean isTainted(final String namespace, final String key) {
        return taints.get(entryKey(namespace, key)) != null;
    }

    /**
     * The verdict on one write, without remembering anything: what a write-time check would answer.
     *
     * @param agent      the writer
     * @param namespace  where it writes
     * @param content    what it writes
     */
    public List<Finding> check(final String agent, final String namespace, final String content) {
        final MemoryAnomalySettings s = settings.forAgent(agent);
        final List<Finding> findings = new ArrayList<>();
        final boolean foreign = namespace != null && agent != null && !s.mayWrite(agent, namespace);
        if (foreign) {
            findings.add(new Finding(FindingKind.CROSS_NAMESPACE, 0, 0,
                    "agent " + agent + " may not write namespace " + namespace, false));
        }
        if (content != null) {
            findings.addAll(analyzer.analyze(content, s, foreign || namespace != null && s.isShared(namespace)));
        }
        return findings;
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
        final String agent = agentKey(event);
        if (agent == null) {
            return;
        }
        final MemoryAnomalySettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        if (write) {
            onWrite(event, agent, s, now, alerts);
        } else {
            onRead(event, agent, alerts);
        }
    }

    private void onWrite(final Event event, final String agent, final MemoryAnomalySettings s, final long now,
                         final Consumer<Alert> alerts) {
        final String namespace = event.getString(StandardFields.MEMORY_NAMESPACE);
        final String key = event.getString(StandardFields.MEMORY_KEY);
        final String content = event.getString(StandardFields.MEMORY_CONTENT);
        final String sha = content != null ? Evidence.sha256(content) : lower(event.getString(StandardFields.MEMORY_SHA256));
        final Long size = size(event, content);

        writeRate(event, agent, s, now, alerts);
        final List<Finding> findings = new ArrayList<>(check(agent, namespace, content));
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

    private void onRead(final Event event, final String agent, final Consumer<Alert> alerts) {
        final String namespace = event.getString(StandardFields.MEMORY_NAMESPACE);
        if (namespace == null) {
            return;
        }
        final String key = event.getString(StandardFields.MEMORY_KEY);
        final String entry = entryKey(namespace, key);
        final Taint taint = taints.get(entry);
        if (taint == null) {
            return;
        }
        final String content = event.getString(StandardFields.MEMORY_CONTENT);
        final String sha = content != null ? Evidence.sha256(content) : lower(event.getString(StandardFields.MEMORY_SHA256));
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

    private void writeRate(final Event event, final String agent, final MemoryAnomalySettings s, final long now,
                           final Consumer<Alert> alerts) {
        final RateBaseline.Step step = RateBaseline.count(rates.get(agent), now, s.writeBurst());
        rates.put(agent, step.baseline());
        if (!step.spikeStarted()) {
            return;
        }
        final RateBaseline b = step.before();
        final long count = step.baseline().count();
        final Map<String, Object> fields = identity(event);
        fields.put("writes", count);
        fields.put("window_seconds", s.writeBurst().window().toSeconds());
        fields.put("window_start", AlertJson.formatTime(b.windowStart()));
        fields.put("baseline", Math.round(b.mean() * 100.0) / 100.0);
        fields.put("factor", s.writeBurst().factor());
        fields.put("min_events", s.writeBurst().minEvents());
        fields.put("baseline_windows", b.windows());
        final String output = String.format(Locale.ROOT,
                "Memory write burst: agent=%s made %d memory writes in the window from %s, against a baseline of"
                        + " %.1f per window (threshold %sx and at least %d)", agent, count,
                AlertJson.formatTime(b.windowStart()), b.mean(), s.writeBurst().factor(), s.writeBurst().minEvents());
        alerts.accept(alert(FindingKind.WRITE_BURST, "LLM memory write burst", agent, b.windowStart(), event, output,
                fields, count, b.windowStart()));
    }

    private Alert writeAlert(final Event event, final String agent, final String namespace, final String key,
                             final String content, final String sha, final Long size, final List<Finding> findings) {
        Finding primary = findings.get(0);
        for (final Finding f : findings) {
            if (f.kind().ordinal() < primary.kind().ordinal()) {
                primary = f;
            }
        }
        final Map<String, Object> fields = identity(event);
        fields.put("memory.namespace", namespace);
        fields.put("memory.key", key);
        fields.put("memory.sha256", sha);
        fields.put("memory.size", size);
        fields.put("finding_kinds", findings.stream().map(f -> f.kind().variant()).distinct()
                .collect(Collectors.joining(",")));
        fields.put("findings", findings.stream().map(Finding::describe).collect(Collectors.joining("; ")));
        final String excerpt = content == null || primary.end() == 0 ? null : Evidence.excerpt(content, primary, findings);
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

    private static String agentKey(final Event event) {
        final String agent = event.getString(StandardFields.AGENT_ID);
        return agent != null ? agent : event.getString(StandardFields.SANDBOX_ID);
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

    private static String lower(final String hex) {
        return hex == null ? null : hex.toLowerCase(Locale.ROOT);
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
    }
}
