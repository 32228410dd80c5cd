package dev.peregrine.engine.slopsquat;

import java.util.Objects;

/**
 * One thing an install command asks for.
 *
 * @param ecosystem the registry the tool installs from
 * @param tool      the installer as invoked, e.g. {@code pip}, {@code uv add}, {@code npx}
 * @param kind      a registry name, a direct URL or path, or a requirements file
 * @param name      the package name as written (without version or extras), or empty when
 *                  the request names no registry package
 * @param spec      the argument exactly as given, e.g. {@code requests[socks]>=2}
 */
public record PackageRequest(Ecosystem ecosystem, String tool, Kind kind, String name, String spec) {

    /** What an argument to an install command stands for. */
    public enum Kind {
        /** A package name resolved by the registry. */
        NAME,
        /** A local path, VCS URL, archive URL or git shorthand: bypasses the registry. */
        DIRECT_URL,
        /** A requirements file (pip {@code -r}): the names inside it are not on the command line. */
        REQUIREMENTS_FILE
    }

    public PackageRequest {
        Objects.requireNonNull(ecosystem, "ecosystem");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(kind, "kind");
        name = name == null ? "" : name;
        Objects.requireNonNull(spec, "spec");
    }

    /** A request for a registry package. */
    public static PackageRequest name(final Ecosystem ecosystem, final String tool, final String name, final String spec) {
        return new PackageRequest(ecosystem, tool, Kind.NAME, name, spec);
    }

    /** A request that bypasses the registry; {@code name} may be empty. */
    public static PackageRequest directUrl(final Ecosystem ecosystem, final String tool, final String name, final String spec) {
        return new PackageRequest(ecosystem, tool, Kind.DIRECT_URL, name, spec);
    }

    /** An install from a requirements file. */
    public static PackageRequest requirementsFile(final Ecosystem ecosystem, final String tool, final String file) {
        return new PackageRequest(ecosystem, tool, Kind.REQUIREMENTS_FILE, "", file);
    }

    /** The name in its ecosystem's canonical form. */
    public String normalizedName() {
        return ecosystem.normalize(name);
    }
}
