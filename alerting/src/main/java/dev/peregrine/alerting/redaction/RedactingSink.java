package dev.peregrine.alerting.redaction;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redacts every alert before handing it to the wrapped sink, so no sink behind it — nor a spool
 * or dead-letter file — ever sees a secret the {@link Redactor} recognises. Put it in front of
 * everything else (dedup, routing, spooling). The alert id does not change, so a redacted alert
 * still overwrites itself on redelivery.
 *
 * <p>Should redaction itself fail (a runaway custom regex), the alert is still delivered, with its
 * output and every text field replaced by the mask: it fails closed, counted and logged, never
 * silently dropped. Called from one thread at a time, like every sink; the counters may be read
 * from any thread.
 */
public final class RedactingSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(RedactingSink.class);

    private final AlertSink delegate;
    private final Redactor redactor;
    private final List<String> patternNames;
    private final AtomicLongArray maskedByPattern;
    private final AtomicLong alertsRedacted = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** Redacts with {@code redactor}, then delivers to {@code delegate}. */
    public RedactingSink(final AlertSink delegate, final Redactor redactor) {
        this.delegate = delegate;
        this.redactor = redactor;
        this.patternNames = redactor.patterns().stream().map(RedactionPattern::name).toList();
        this.maskedByPattern = new AtomicLongArray(patternNames.size());
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        delegate.deliver(redact(alert));
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** Alerts in which at least one secret was masked. */
    public long alertsRedacted() {
        return alertsRedacted.get();
    }

    /** Alerts whose redaction failed and which went out fully masked instead. */
    public long failures() {
        return failures.get();
    }

    /** Secrets masked so far, by pattern name, in pattern order (zero counts included). */
    public Map<String, Long> maskedByPattern() {
        final Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < patternNames.size(); i++) {
            counts.merge(patternNames.get(i), maskedByPattern.get(i), Long::sum);
        }
        return counts;
    }

    private Alert redact(final Alert alert) {
        final long[] hits = new long[patternNames.size()];
        final Alert clean;
        try {
            clean = redactor.redact(alert, hits);
        } catch (final RuntimeException | StackOverflowError e) {
            failures.incrementAndGet();
            LOG.error("redacting alert {} (rule {}) failed, delivering it with every text field masked: {}",
                    alert.id(), alert.ruleId(), e.toString());
            return fullyMasked(alert);
        }
        if (clean != alert) {
            alertsRedacted.incrementAndGet();
            for (int i = 0; i < hits.length; i++) {
                if (hits[i] > 0) {
                    maskedByPattern.addAndGet(i, hits[i]);
                }
            }
        }
        return clean;
    }

    private static Alert fullyMasked(final Alert alert) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        alert.outputFields().forEach((name, value) -> fields.put(name,
                value == null || value instanceof Number || value instanceof Boolean ? value : Redactor.MASK));
        return new Alert(alert.id(), alert.timeNanos(), alert.ruleId(), alert.rule(), alert.priority(),
                alert.source(), alert.hostname(), alert.tags(), Redactor.MASK, fields, alert.agent(),
                alert.session(), alert.count(), alert.firstSeenNanos(), alert.lastSeenNanos());
    }
}
