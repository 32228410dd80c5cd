package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.List;

/**
 * The enabled cep items, compiled once; every {@link CepDetector} deploys the same compiled
 * modules into its own runtime (one per engine instance or stream task).
 */
public final class CepProgram {

    /** One compiled cep item: its definition, its EPL module and its output template. */
    record CompiledRule(CepRuleDef def, EPCompiled module, CepOutput output) {
    }

    private final CepEventModel model;
    private final Configuration configuration;
    private final List<CompiledRule> rules;

    CepProgram(final CepEventModel model, final Configuration configuration, final List<CompiledRule> rules) {
        this.model = model;
        this.configuration = configuration;
        this.rules = List.copyOf(rules);
    }

    /** The ids of the compiled cep items, in load order. */
    public List<String> ruleIds() {
        return rules.stream().map(r -> r.def().id()).toList();
    }

    /** Whether there is nothing to deploy. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    CepEventModel model() {
        return model;
    }

    Configuration configuration() {
        return configuration;
    }

    List<CompiledRule> rules() {
        return rules;
    }
}
