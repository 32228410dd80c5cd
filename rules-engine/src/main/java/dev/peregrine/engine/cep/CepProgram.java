package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import dev.peregrine.engine.rules.CepRuleDef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The enabled cep items, compiled once; every {@link CepDetector} deploys the same compiled
 * modules into its own runtime (one per engine instance or stream task), and a reload's program
 * replaces a running one item by item ({@link CepDetector#apply}).
 */
public final class CepProgram {

    /**
     * One compiled cep item: its definition, its EPL module, its output template and its
     * {@link #fingerprint(CepRuleDef) fingerprint}.
     */
    record CompiledRule(CepRuleDef def, EPCompiled module, CepOutput output, String fingerprint) {

        CompiledRule(final CepRuleDef def, final EPCompiled module, final CepOutput output) {
            this(def, module, output, CepProgram.fingerprint(def));
        }
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

    /** Each item's {@link #fingerprint(CepRuleDef) fingerprint} by id, in load order. */
    public Map<String, String> fingerprints() {
        final Map<String, String> fingerprints = new LinkedHashMap<>();
        rules.forEach(rule -> fingerprints.put(rule.def().id(), rule.fingerprint()));
        return fingerprints;
    }

    /**
     * What decides whether a reload keeps an item's running state: SHA-256 (hex) over everything that
     * shapes what the item matches and the alerts it raises, namely its id, EPL text, output template,
     * name, priority and tags, each length-prefixed so no two definitions run together. Where it was
     * written (file, line) and its description are left out: moving an item in its file or rewording
     * its {@code desc} keeps its windows. Equal fingerprints mean equal EPL, so the same statements.
     */
    public static String fingerprint(final CepRuleDef def) {
        final MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        final List<String> parts = new ArrayList<>(List.of(def.id(), def.epl(), def.output(), def.name(),
                def.priority().name()));
        parts.addAll(def.tags());
        for (final String part : parts) {
            final byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha256.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha256.update((byte) ':');
            sha256.update(bytes);
        }
        return HexFormat.of().formatHex(sha256.digest());
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
