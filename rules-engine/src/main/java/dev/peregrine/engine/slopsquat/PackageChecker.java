package dev.peregrine.engine.slopsquat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides the {@link Verdict} on one install request from registry knowledge. In order: an
 * allow-listed or popular name passes; a name close to a popular one is a typosquat (whether
 * or not the snapshot has it: one registered after the snapshot is still an imitation); a name
 * absent from a complete snapshot is not in the registry; a name that is young, below
 * {@value #LOW_MONTHLY_DOWNLOADS} downloads a month, or missing from a partial snapshot (npm's
 * lists only packages with some usage, so absence there means "absent or barely used") has
 * low popularity. Ecosystems without data raise nothing for names. Thread-safe.
 */
public final class PackageChecker {

    /** Below this many downloads a month a listed package counts as barely used. */
    public static final long LOW_MONTHLY_DOWNLOADS = 1000;

    private final PackageIntel intel;
    private final AllowList allowList;
    private final Map<Ecosystem, TyposquatIndex> indexes;

    /** Builds the typosquat indexes of every ecosystem {@code intel} knows popular names of (takes a second or two). */
    public PackageChecker(final PackageIntel intel, final AllowList allowList) {
        this(intel, allowList, buildIndexes(intel));
    }

    private PackageChecker(final PackageIntel intel, final AllowList allowList,
                           final Map<Ecosystem, TyposquatIndex> indexes) {
        this.intel = Objects.requireNonNull(intel, "intel");
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        this.indexes = indexes;
    }

    private static Map<Ecosystem, TyposquatIndex> buildIndexes(final PackageIntel intel) {
        final Map<Ecosystem, TyposquatIndex> indexes = new EnumMap<>(Ecosystem.class);
        for (final Ecosystem ecosystem : Ecosystem.values()) {
            final List<PopularPackage> popular = intel.popular(ecosystem);
            if (!popular.isEmpty()) {
                indexes.put(ecosystem, new TyposquatIndex(popular));
            }
        }
        return indexes;
    }

    /** The same checks with another allow-list, sharing this checker's indexes (e.g. after a config reload). */
    public PackageChecker withAllowList(final AllowList newAllowList) {
        return new PackageChecker(intel, newAllowList, indexes);
    }

    /** The verdict on {@code request}, or empty when it raises nothing. */
    public Optional<Finding> check(final PackageRequest request) {
        final Ecosystem ecosystem = request.ecosystem();
        switch (request.kind()) {
            case REQUIREMENTS_FILE:
                return Optional.of(new Finding(Verdict.REQUIREMENTS_FILE, request,
                        PackageFacts.unknown(ecosystem, ""), Optional.empty()));
            case DIRECT_URL:
                if (!request.name().isEmpty() && allowList.allows(ecosystem, request.normalizedName())) {
                    return Optional.empty();
                }
                return Optional.of(new Finding(Verdict.DIRECT_URL_INSTALL, request,
                        PackageFacts.unknown(ecosystem, request.normalizedName()), Optional.empty()));
            default:
                return checkName(request);
        }
    }

    private Optional<Finding> checkName(final PackageRequest request) {
        final Ecosystem ecosystem = request.ecosystem();
        final String name = request.normalizedName();
        if (name.isEmpty() || allowList.allows(ecosystem, name)) {
            return Optional.empty();
        }
        final PackageFacts facts = intel.lookup(ecosystem, name);
        if (facts.popular()) {
            return Optional.empty();
        }
        final TyposquatIndex index = indexes.get(ecosystem);
        final Optional<SimilarName> similar = index == null ? Optional.empty() : index.closest(name);
        if (similar.isPresent()) {
            return Optional.of(new Finding(Verdict.TYPOSQUAT, request, facts, similar));
        }
        return switch (facts.presence()) {
            case ABSENT -> Optional.of(new Finding(Verdict.NOT_IN_REGISTRY, request, facts, Optional.empty()));
            case NOT_LISTED -> Optional.of(new Finding(Verdict.LOW_POPULARITY, request, facts, Optional.empty()));
            case LISTED -> facts.young() || facts.monthlyDownloads() >= 0 && facts.monthlyDownloads() < LOW_MONTHLY_DOWNLOADS
                    ? Optional.of(new Finding(Verdict.LOW_POPULARITY, request, facts, Optional.empty()))
                    : Optional.empty();
            case UNKNOWN -> Optional.empty();
        };
    }
}
