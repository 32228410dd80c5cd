package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.configuration.Configuration;
import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How events and signals look to EPL: two object-array event types, {@code Event} and
 * {@code Signal}, whose properties are the registry's field names with every {@code .} written
 * {@code _} ({@code proc.name} → {@code proc_name}, {@code llm.tokens.in} → {@code llm_tokens_in}).
 *
 * <p>Object arrays, not maps: an event becomes one array copy of its slots, with no hashing. Types:
 * string fields are {@code String}, int and timestamp fields {@code Long} ({@code evt_time} is
 * epoch nanoseconds), bool fields {@code Boolean}; a field the event lacks is {@code null}. The
 * input's unregistered keys (agent extras such as {@code status} on a {@code tool_call}) are the
 * map property {@code extras}: {@code extras('status')}. A {@code Signal} is a per-event rule match
 * (or a detector's alert on an event): the matched event's properties plus {@code rule_id},
 * {@code rule_name}, {@code priority}, {@code output} and the map {@code output_fields} of the
 * alert ({@code output_fields('package.name')}), which holds evidence the event itself lacks.
 *
 * <p>A program's rows carry only what its items can read ({@link #forRules}): the properties named
 * in their EPL or output templates and the columns every alert reads; the others stay
 * {@code null}. Both types still declare every property, so any EPL compiles as before; copying
 * the ~90 slots of each event into every row cost more than most statements spend on it.
 */
public final class CepEventModel {

    /** EPL name of the event type every normalized event is sent as. */
    public static final String EVENT = "Event";
    /** EPL name of the event type per-event rule matches are sent as. */
    public static final String SIGNAL = "Signal";
    /** The property holding the input's unregistered keys. */
    public static final String EXTRAS = "extras";

    /** The property holding a signal's alert's {@code output_fields}. */
    public static final String OUTPUT_FIELDS = "output_fields";

    private static final String[] SIGNAL_HEAD = {"rule_id", "rule_name", "priority", "output", OUTPUT_FIELDS};
    // CepDetector reads these columns of every alert row, whether or not its item names them (select *).
    private static final Set<String> ALERT_COLUMNS = Set.of("agent_id", "agent_session", "host_name", "evt_source");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // Rows compared whole (with a subset copied, two different events could look equal), and names
    // other items may read: a reload can add an item that reads, in a kept public window, rows an
    // earlier program built without the properties it names.
    private static final Pattern WHOLE_ROW =
            Pattern.compile("(?is)\\bdistinct\\s*\\*|\\bevery-distinct\\b|@public\\b|@protected\\b");

    private final Field[] fields;
    // Indexes into fields of the slots copied into rows, and whether extras is copied.
    private final int[] copied;
    private final boolean copyExtras;
    private final String[] eventProperties;
    private final Object[] eventTypes;
    private final String[] signalProperties;
    private final Object[] signalTypes;

    /** @param registry the fields events carry */
    public CepEventModel(final FieldRegistry registry) {
        final List<Field> all = new ArrayList<>(registry.fields());
        this.fields = all.toArray(Field[]::new);
        eventProperties = new String[fields.length + 1];
        eventTypes = new Object[fields.length + 1];
        for (int i = 0; i < fields.length; i++) {
            eventProperties[i] = propertyName(fields[i].name());
            eventTypes[i] = javaType(fields[i].type());
        }
        eventProperties[fields.length] = EXTRAS;
        eventTypes[fields.length] = Map.class;
        signalProperties = new String[SIGNAL_HEAD.length + eventProperties.length];
        signalTypes = new Object[signalProperties.length];
        for (int i = 0; i < SIGNAL_HEAD.length; i++) {
            signalProperties[i] = SIGNAL_HEAD[i];
            signalTypes[i] = String.class;
        }
        signalTypes[SIGNAL_HEAD.length - 1] = Map.class;
        System.arraycopy(eventProperties, 0, signalProperties, SIGNAL_HEAD.length, eventProperties.length);
        System.arraycopy(eventTypes, 0, signalTypes, SIGNAL_HEAD.length, eventTypes.length);
        copied = new int[fields.length];
        for (int i = 0; i < fields.length; i++) {
            copied[i] = i;
        }
        copyExtras = true;
    }

    private CepEventModel(final CepEventModel all, final int[] copied, final boolean copyExtras) {
        this.fields = all.fields;
        this.eventProperties = all.eventProperties;
        this.eventTypes = all.eventTypes;
        this.signalProperties = all.signalProperties;
        this.signalTypes = all.signalTypes;
        this.copied = copied;
        this.copyExtras = copyExtras;
    }

    /**
     * This model with rows carrying only what {@code rules} can read: each property whose name
     * occurs as a word in an item's EPL or output template, and the columns every alert reads.
     * Every property, when an item compares rows whole ({@code distinct *}, {@code every-distinct})
     * or shares a name with other items ({@code @public}, {@code @protected}): rows kept in it
     * outlive a reload, which may add an item reading more of them.
     * A superset is harmless: a word that is not a property only costs a copied slot.
     */
    CepEventModel forRules(final Collection<CepRuleDef> rules) {
        final Set<String> words = new HashSet<>(ALERT_COLUMNS);
        for (final CepRuleDef rule : rules) {
            if (WHOLE_ROW.matcher(rule.epl()).find()) {
                return new CepEventModel(this, copied, copyExtras);
            }
            addWords(rule.epl(), words);
            // output templates name fields with dots: %proc.name is the property proc_name
            addWords(propertyName(rule.output()), words);
        }
        final int[] used = new int[fields.length];
        int count = 0;
        for (int i = 0; i < fields.length; i++) {
            if (words.contains(eventProperties[i].toLowerCase(Locale.ROOT))) {
                used[count++] = i;
            }
        }
        return new CepEventModel(this, Arrays.copyOf(used, count), words.contains(EXTRAS));
    }

    private static void addWords(final String text, final Set<String> words) {
        final Matcher word = IDENTIFIER.matcher(text);
        while (word.find()) {
            words.add(word.group().toLowerCase(Locale.ROOT));
        }
    }

    /** Whether rows of this model carry {@code field}'s value. */
    boolean copies(final Field field) {
        for (final int index : copied) {
            if (fields[index].equals(field)) {
                return true;
            }
        }
        return false;
    }

    /** The EPL property a field is read as: its name with dots written as underscores. */
    public static String propertyName(final String fieldName) {
        return fieldName.replace('.', '_');
    }

    /** Declares {@code Event} and {@code Signal} in {@code configuration}. */
    void declare(final Configuration configuration) {
        configuration.getCommon().addEventType(EVENT, eventProperties.clone(), eventTypes.clone());
        configuration.getCommon().addEventType(SIGNAL, signalProperties.clone(), signalTypes.clone());
    }

    /** {@code event} as an {@code Event} row. */
    Object[] eventRow(final Event event) {
        final Object[] row = new Object[fields.length + 1];
        fill(event, row, 0);
        return row;
    }

    /** The per-event rule match (or detector alert) {@code alert} on {@code event} as a {@code Signal} row. */
    Object[] signalRow(final Alert alert, final Event event) {
        final Object[] row = new Object[signalProperties.length];
        row[0] = alert.ruleId();
        row[1] = alert.rule();
        row[2] = alert.priority().displayName();
        row[3] = alert.output();
        row[4] = alert.outputFields();
        fill(event, row, SIGNAL_HEAD.length);
        return row;
    }

    private void fill(final Event event, final Object[] row, final int offset) {
        for (final int index : copied) {
            row[offset + index] = event.get(fields[index]);
        }
        if (copyExtras) {
            row[offset + fields.length] = event.extras();
        }
    }

    private static Class<?> javaType(final FieldType type) {
        return switch (type) {
            case STRING -> String.class;
            case INT, TIMESTAMP -> Long.class;
            case BOOL -> Boolean.class;
        };
    }
}
