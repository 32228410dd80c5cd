package dev.peregrine.engine.memory;

import dev.peregrine.alerting.redaction.Redactor;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.MemoryVerdict;
import dev.peregrine.collector.ingest.MemoryWriteCheck;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The verdict on one memory write from what the write itself says: the namespace policy and what
 * {@link ContentAnalyzer} finds in its content. {@link MemoryDetector} judges every write with it on
 * the engine thread, and {@code POST /v1/memory/check} calls {@link #check(Event)} on HTTP threads,
 * so both give the same verdict.
 *
 * <p>Pure and thread-safe: it reads only immutable settings and keeps nothing. What needs learned
 * state is left out of it: oversize against the agent's mean size, write bursts, and taint are
 * judged by {@link MemoryDetector} alone, when the write's event reaches the engine (so a
 * synchronous check may answer {@code allow} for a write whose event later raises
 * {@code memory_anomaly.oversize} or {@code write_burst}).
 */
public final class MemoryJudge implements MemoryWriteCheck {

    private final PerAgent<MemoryAnomalySettings> settings;
    private final ContentAnalyzer analyzer = new ContentAnalyzer();
    private final Redactor redactor;

    /** A judge applying {@code settings}, whose evidence excerpts the default secret patterns also mask. */
    public MemoryJudge(final PerAgent<MemoryAnomalySettings> settings) {
        this(settings, Redactor.withDefaults());
    }

    /** A judge applying {@code settings}, whose evidence excerpts {@code redactor} also masks. */
    public MemoryJudge(final PerAgent<MemoryAnomalySettings> settings, final Redactor redactor) {
        this.settings = settings;
        this.redactor = redactor;
    }

    /**
     * Every finding of one write, by offset after the namespace finding; empty when it is clean
     * or the detection is off for {@code agent}.
     *
     * @param agent      the writer ({@code agent.id}, else {@code sandbox.id})
     * @param namespace  where it writes, or {@code null}
     * @param content    what it writes, or {@code null} when the event carried only a hash
     */
    public List<Finding> judge(final String agent, final String namespace, final String content) {
        final MemoryAnomalySettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return List.of();
        }
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

    /** The most serious of {@code findings} (the first of the most serious kind): it names the write's alert. */
    static Finding primary(final List<Finding> findings) {
        Finding primary = findings.get(0);
        for (final Finding f : findings) {
            if (f.kind().ordinal() < primary.kind().ordinal()) {
                primary = f;
            }
        }
        return primary;
    }

    /**
     * The write-time verdict on a {@code memory_write} event: {@link #judge} of its agent,
     * namespace and content, each finding with a redacted excerpt of its evidence.
     *
     * @throws IllegalArgumentException when the event names neither an agent nor a sandbox
     */
    @Override
    public MemoryVerdict check(final Event write) {
        final String agent = agentKey(write);
        if (agent == null) {
            throw new IllegalArgumentException("the write names no agent (agent.id) or sandbox (sandbox.id)");
        }
        final String content = write.getString(StandardFields.MEMORY_CONTENT);
        final String sha = sha256(write, content);
        final List<Finding> findings = judge(agent, write.getString(StandardFields.MEMORY_NAMESPACE), content);
        if (findings.isEmpty()) {
            return MemoryVerdict.allow(sha);
        }
        final FindingKind kind = primary(findings).kind();
        final List<MemoryVerdict.Finding> answers = new ArrayList<>(findings.size());
        for (final Finding f : findings) {
            answers.add(new MemoryVerdict.Finding(f.kind().variant(), f.start(), f.end() - f.start(), f.detail(),
                    excerpt(content, f, findings)));
        }
        return new MemoryVerdict(true, kind.ruleId(), kind.priority().displayName(), answers, sha);
    }

    /** The masked text around {@code finding}, or {@code null} when it is about the whole write. */
    String excerpt(final String content, final Finding finding, final List<Finding> findings) {
        return content == null || finding.end() == 0 ? null : redactor.redact(Evidence.excerpt(content, finding, findings));
    }

    /** Whose memory a write or read is: its agent, else its sandbox. */
    static String agentKey(final Event event) {
        final String agent = event.getString(StandardFields.AGENT_ID);
        return agent != null ? agent : event.getString(StandardFields.SANDBOX_ID);
    }

    /** The content's hash, or the one the event gave (lower case) when it carried no content. */
    static String sha256(final Event event, final String content) {
        if (content != null) {
            return Evidence.sha256(content);
        }
        final String given = event.getString(StandardFields.MEMORY_SHA256);
        return given == null ? null : given.toLowerCase(Locale.ROOT);
    }
}
