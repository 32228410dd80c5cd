package dev.peregrine.bench.harness;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.engine.cep.CepEventModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer a user would build directly on Esper: the conditions of the JMH benchmarks' Falco
 * subset ({@code dev/peregrine/bench/engine/falco_subset.epl}, 25 rules translated by hand) as
 * EPL filter statements over an object-array event type of every registered field, named as
 * {@link CepEventModel} names them. Internal timer off; one runtime per instance.
 */
public final class EsperFilterPeer implements AutoCloseable {

    /** The EPL module, beside the Peregrine rule file it translates ({@code falco_subset.yaml}). */
    public static final String SUBSET_EPL = "dev/peregrine/bench/engine/falco_subset.epl";
    /** The same conditions as Peregrine rules. */
    public static final String SUBSET_RULES = "dev/peregrine/bench/engine/falco_subset.yaml";

    private static final String EVENT_TYPE = "Ev";
    private static final List<Field> FIELDS = List.copyOf(FieldRegistry.standard().fields());

    private final EPRuntime runtime;
    private final EPEventService events;
    private final AtomicLong matches = new AtomicLong();
    private final int statements;

    /** Compiles and deploys the subset; takes a few seconds (Esper compiles to bytecode). */
    public EsperFilterPeer() throws IOException, EPCompileException, EPDeployException {
        final Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        final String[] names = new String[FIELDS.size()];
        final Object[] types = new Object[FIELDS.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = CepEventModel.propertyName(FIELDS.get(i).name());
            types[i] = javaType(FIELDS.get(i).type());
        }
        configuration.getCommon().addEventType(EVENT_TYPE, names, types);
        final String epl;
        try (InputStream in = EsperFilterPeer.class.getClassLoader().getResourceAsStream(SUBSET_EPL)) {
            if (in == null) {
                throw new IOException(SUBSET_EPL + " is missing from the classpath");
            }
            epl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final EPCompiled compiled = EPCompilerProvider.getCompiler().compile(epl, new CompilerArguments(configuration));
        // a new URI: getRuntime initializes it (initialize() would only do it again)
        runtime = EPRuntimeProvider.getRuntime("peregrine-bench-esper-" + System.nanoTime(), configuration);
        final EPStatement[] deployed = runtime.getDeploymentService().deploy(compiled).getStatements();
        for (final EPStatement statement : deployed) {
            statement.addListener((newEvents, oldEvents, stmt, rt) -> matches.addAndGet(newEvents.length));
        }
        statements = deployed.length;
        events = runtime.getEventService();
    }

    /** {@code event} as an {@code Ev} row: every registered field in slot order, absent ones null. */
    public static Object[] row(final Event event) {
        final Object[] row = new Object[FIELDS.size()];
        for (int f = 0; f < row.length; f++) {
            row[f] = event.get(FIELDS.get(f));
        }
        return row;
    }

    /** Evaluates every statement against {@code row}. */
    public void send(final Object[] row) {
        events.sendEventObjectArray(row, EVENT_TYPE);
    }

    /** Statement matches so far. */
    public long matches() {
        return matches.get();
    }

    /** Statements deployed. */
    public int statements() {
        return statements;
    }

    private static Class<?> javaType(final FieldType type) {
        return switch (type) {
            case STRING -> String.class;
            case INT, TIMESTAMP -> Long.class;
            case BOOL -> Boolean.class;
        };
    }

    @Override
    public void close() {
        runtime.destroy();
    }
}
