package dev.peregrine.app.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.suppress.Suppression;
import dev.peregrine.alerting.suppress.SuppressionList;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Keeps the suppressions in the engine's state store, so they survive a restart. The store
 * belongs to the engine thread; suppressions change on HTTP threads, so changes are queued and
 * written when the engine next runs this detector (on an event, as time advances, and when it
 * stops, before the state's final snapshot).
 */
public final class SuppressionJournal implements Detector, SuppressionList.Listener {

    /** The state store's name for the suppressions. */
    public static final String STORE = "console.suppressions";

    static final StateCodec<Suppression> CODEC = new SuppressionCodec();

    private final KeyValueStore<Suppression> store;
    private final Queue<Consumer<KeyValueStore<Suppression>>> pending = new ConcurrentLinkedQueue<>();

    /**
     * Opens the store (before the engine runs), puts what an earlier run kept back into
     * {@code suppressions}, and from then on records their changes.
     */
    public SuppressionJournal(final StateStore state, final SuppressionList suppressions) {
        this.store = state.keyValueStore(STORE, CODEC);
        store.forEach((id, suppression) -> suppressions.restore(suppression));
        suppressions.listen(this);
    }

    @Override
    public void added(final Suppression suppression, final String who) {
        pending.add(kept -> kept.put(suppression.id(), suppression));
    }

    @Override
    public void removed(final Suppression suppression, final String who) {
        pending.add(kept -> kept.delete(suppression.id()));
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        drain();
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        drain();
    }

    @Override
    public void close() {
        drain();
    }

    private void drain() {
        Consumer<KeyValueStore<Suppression>> change;
        while ((change = pending.poll()) != null) {
            change.accept(store);
        }
    }

    /** One suppression as a JSON object on one line. */
    private static final class SuppressionCodec implements StateCodec<Suppression> {

        private final JsonFactory json = JsonFactory.builder().build();

        @Override
        public String encode(final Suppression value) {
            final StringWriter out = new StringWriter();
            try (JsonGenerator generator = json.createGenerator(out)) {
                generator.writeStartObject();
                generator.writeStringField("id", value.id());
                generator.writeStringField("rule_id", value.ruleId());
                generator.writeObjectFieldStart("match");
                for (final Map.Entry<String, String> key : value.match().entrySet()) {
                    generator.writeStringField(key.getKey(), key.getValue());
                }
                generator.writeEndObject();
                generator.writeStringField("expires", value.expires().toString());
                generator.writeStringField("reason", value.reason());
                generator.writeStringField("created_by", value.createdBy());
                generator.writeStringField("created", value.created().toString());
                generator.writeEndObject();
            } catch (final IOException e) {
                throw new UncheckedIOException("writing to a string cannot fail", e);
            }
            return out.toString();
        }

        @Override
        public Suppression decode(final String text) {
            final Map<String, String> fields = new LinkedHashMap<>();
            final Map<String, String> match = new LinkedHashMap<>();
            try (JsonParser parser = json.createParser(text)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException("a suppression is a JSON object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String name = parser.currentName();
                    if (parser.nextToken() == JsonToken.START_OBJECT) {
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            final String key = parser.currentName();
                            parser.nextToken();
                            match.put(key, parser.getText());
                        }
                    } else {
                        fields.put(name, parser.getText());
                    }
                }
                return new Suppression(fields.get("id"), fields.get("rule_id"), match, Instant.parse(
                        fields.get("expires")), fields.get("reason"), fields.get("created_by"),
                        Instant.parse(fields.get("created")));
            } catch (final IOException | RuntimeException e) {
                throw new IllegalArgumentException("not a suppression: " + e.getMessage(), e);
            }
        }
    }
}
