package dev.peregrine.engine.rules;

import java.util.List;

/**
 * Compiles the EPL of {@code - cep:} items while rules load, so a broken statement fails the load
 * (and {@code peregrine rules validate}) with the other errors; implemented by the CEP runtime.
 */
public interface CepValidator {

    /** Every problem in {@code rules}, each at the file, line and column it was written; empty when all compile. */
    List<RuleLoadError> validate(List<CepRuleDef> rules);
}
