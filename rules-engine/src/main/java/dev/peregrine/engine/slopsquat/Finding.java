package dev.peregrine.engine.slopsquat;

import java.util.Objects;
import java.util.Optional;

/**
 * A verdict on one install request, with its evidence.
 *
 * @param verdict  what was concluded
 * @param request  what the command asked for
 * @param facts    what the registry knowledge says about the name (unknown for direct URLs and files)
 * @param similar  the popular package the name is closest to, when there is one
 */
public record Finding(Verdict verdict, PackageRequest request, PackageFacts facts, Optional<SimilarName> similar) {

    public Finding {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(similar, "similar");
    }
}
