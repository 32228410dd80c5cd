package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventType;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.configuration.compiler.ConfigurationCompilerExecution.FilterIndexPlanning;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompileExceptionItem;
import com.espertech.esper.compiler.client.EPCompiler;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.rules.CepRuleDef;
import dev.peregrine.engine.rules.CepValidator;
import dev.peregrine.engine.rules.RuleLoadError;
import dev.peregrine.engine.rules.RuleLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles cep items' EPL against the {@link CepEventModel} into a {@link CepProgram}. Each item
 * is its own EPL module, so its named windows and contexts are private to it. Problems come back
 * as {@link RuleLoadError}s at the file line of the EPL line Esper names, with Esper's message;
 * output templates are checked against the columns the alerting (last) statement selects.
 *
 * <p>Also the {@link CepValidator} a {@code RuleLoader} uses, so broken EPL fails a rules load. Esper
 * compiles slowly (about a second for a handful of statements), so the compiler keeps what it
 * compiled while validating and {@link #compile} reuses it for the same items. Not thread-safe.
 */
public final class CepCompiler implements CepValidator {

    private static final Pattern SYNTAX_AT = Pattern.compile("at line (\\d+) column (\\d+)");
    private static final Pattern PROPERTY = Pattern.compile("Property named '([\\w.]+)'");

    private final CepEventModel model;
    private final Configuration configuration;
    // The items compiled by the latest validate(), by value, so the load and the engine compile once.
    private Map<CepRuleDef, CepProgram.CompiledRule> compiledByDef = Map.of();

    /** @param registry the fields events carry, exposed to EPL as described in {@link CepEventModel} */
    public CepCompiler(final FieldRegistry registry) {
        this.model = new CepEventModel(registry);
        this.configuration = configuration(model);
    }

    /** The runtime configuration every detector of this compiler's programs uses: event types, external clock. */
    static Configuration configuration(final CepEventModel model) {
        final Configuration configuration = new Configuration();
        model.declare(configuration);
        // Event time: the engine advances the clock from evt.time; a wall-clock timer would break replays.
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        // One engine thread drives each runtime, so listener dispatch needs no cross-thread ordering.
        configuration.getRuntime().getThreading().setListenerDispatchPreserveOrder(false);
        configuration.getRuntime().getThreading().setInsertIntoDispatchPreserveOrder(false);
        configuration.getRuntime().getThreading().setNamedWindowConsumerDispatchPreserveOrder(false);
        configuration.getRuntime().getLogging().setEnableExecutionDebug(false);
        // Esper 8.9.0's default (ADVANCED) filter index planning drops matches of filters shaped
        // (x like a or x like b) and x like c: a download piped into a shell went unreported
        // (CepFilterPlanningTest). BASIC planning matches them; a missed detection costs more than
        // the index plans ADVANCED would build.
        configuration.getCompiler().getExecution().setFilterIndexPlanning(FilterIndexPlanning.BASIC);
        return configuration;
    }

    @Override
    public List<RuleLoadError> validate(final List<CepRuleDef> rules) {
        final List<RuleLoadError> errors = new ArrayList<>();
        final CepProgram program = compile(rules, errors);
        final Map<CepRuleDef, CepProgram.CompiledRule> compiled = new HashMap<>();
        if (errors.isEmpty()) {
            program.rules().forEach(rule -> compiled.put(rule.def(), rule));
        }
        compiledByDef = compiled;
        return errors;
    }

    /** Compiles the enabled items of {@code rules}; throws with every problem when any does not compile. */
    public CepProgram compile(final List<CepRuleDef> rules) throws RuleLoadException {
        final List<RuleLoadError> errors = new ArrayList<>();
        final CepProgram program = compile(rules.stream().filter(CepRuleDef::enabled).toList(), errors);
        if (!errors.isEmpty()) {
            throw new RuleLoadException(errors);
        }
        return program;
    }

    private CepProgram compile(final List<CepRuleDef> rules, final List<RuleLoadError> errors) {
        final EPCompiler compiler = EPCompilerProvider.getCompiler();
        final List<CepProgram.CompiledRule> compiled = new ArrayList<>();
        for (final CepRuleDef rule : rules) {
            final CepProgram.CompiledRule known = compiledByDef.get(rule);
            if (known != null) {
                compiled.add(known);
                continue;
            }
            try {
                final EPCompiled module = compiler.compile(rule.epl(), new CompilerArguments(configuration));
                compiled.add(new CepProgram.CompiledRule(rule, module, CepOutput.parse(rule.output())));
            } catch (final EPCompileException e) {
                report(rule, e, errors);
            }
        }
        checkOutputs(compiled.stream().filter(rule -> !compiledByDef.containsKey(rule.def())).toList(), errors);
        // rows carry only what these items read (CepEventModel.forRules)
        return new CepProgram(model.forRules(compiled.stream().map(CepProgram.CompiledRule::def).toList()),
                configuration, compiled);
    }

    private static void report(final CepRuleDef rule, final EPCompileException e, final List<RuleLoadError> errors) {
        if (e.getItems().isEmpty()) {
            errors.add(rule.errorAt(1, -1, "EPL error in cep '" + rule.name() + "': " + e.getMessage()));
            return;
        }
        for (final EPCompileExceptionItem item : e.getItems()) {
            final int[] at = pinpoint(rule.epl(), Math.max(1, item.getLineNumber()), item.getMessage());
            errors.add(rule.errorAt(at[0], at[1], "EPL error in cep '" + rule.name() + "' (EPL line " + at[0] + "): "
                    + item.getMessage()));
        }
    }

    /**
     * The EPL line and 0-based column an error is about. Esper names the line its statement starts
     * on; a syntax error also says where in the statement, and a validation error names the
     * property, whose first use from the statement's start is taken.
     */
    static int[] pinpoint(final String epl, final int statementLine, final String message) {
        final String[] lines = epl.split("\n", -1);
        final Matcher syntax = SYNTAX_AT.matcher(message);
        if (syntax.find()) {
            final int line = statementLine + Integer.parseInt(syntax.group(1)) - 1;
            if (line <= lines.length) {
                return new int[] {line, Integer.parseInt(syntax.group(2))};
            }
        }
        final Matcher property = PROPERTY.matcher(message);
        if (property.find()) {
            final Pattern word = Pattern.compile("(?<![\\w.])" + Pattern.quote(property.group(1)) + "(?!\\w)");
            for (int line = statementLine; line <= lines.length; line++) {
                final Matcher use = word.matcher(lines[line - 1]);
                if (use.find()) {
                    return new int[] {line, use.start()};
                }
            }
        }
        return new int[] {statementLine, -1};
    }

    /**
     * Deploys every compiled module into a scratch runtime to learn what its last statement selects,
     * and checks each output template names only those columns.
     */
    private void checkOutputs(final List<CepProgram.CompiledRule> compiled, final List<RuleLoadError> errors) {
        if (compiled.isEmpty()) {
            return;
        }
        final EPRuntime runtime = EPRuntimeProvider.getRuntime("peregrine-cep-check-" + UUID.randomUUID(), configuration);
        try {
            for (final CepProgram.CompiledRule rule : compiled) {
                final EPDeployment deployment;
                try {
                    deployment = runtime.getDeploymentService().deploy(rule.module());
                } catch (final EPDeployException e) {
                    errors.add(rule.def().errorAt(1, -1, "EPL of cep '" + rule.def().name() + "' does not deploy: "
                            + e.getMessage()));
                    continue;
                }
                final EPStatement[] statements = deployment.getStatements();
                final EventType type = statements[statements.length - 1].getEventType();
                final List<String> selected = Arrays.asList(type.getPropertyNames());
                for (final String reference : rule.output().references()) {
                    final String column = CepEventModel.propertyName(reference);
                    if (!selected.contains(column)) {
                        errors.add(rule.def().outputErrorAt(rule.output().offsetOf(reference), "output of cep '" + rule.def().name() + "' refers to %"
                                + reference + " but the last statement selects no column '" + column
                                + "' (it selects " + selected + "; name columns with 'as')"));
                    }
                }
            }
        } finally {
            runtime.destroy();
        }
    }
}
