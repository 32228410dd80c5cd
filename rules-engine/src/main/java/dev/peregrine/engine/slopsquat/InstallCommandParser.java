package dev.peregrine.engine.slopsquat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the packages a command line installs, parsing its arguments the way the installer
 * does: options and their values are skipped, version specifiers, extras and aliases are
 * stripped, and local paths, VCS and archive URLs are told apart from registry names.
 *
 * <p>Knows {@code pip}/{@code pip3}/{@code python -m pip install}, {@code uv pip install},
 * {@code uv add}, {@code poetry add}, {@code pipenv install}, {@code npm install|i|add},
 * {@code npm exec}, {@code npx}, {@code yarn add}, {@code yarn dlx}, {@code pnpm add|install},
 * {@code pnpm dlx}, {@code bun add|install}, {@code bunx}, {@code cargo add|install},
 * {@code gem install} and {@code go get|install}. Only the installer's own command line is
 * parsed: wrappers such as {@code sudo}, {@code env} or {@code sh -c} exec the installer, whose
 * own {@code execve} is then seen, so each install is reported once. Stateless and thread-safe.
 */
public final class InstallCommandParser {

    private static final Pattern PIP = Pattern.compile("pip(-?\\d+(\\.\\d+)*)?");
    private static final Pattern PYTHON = Pattern.compile("python(\\d+(\\.\\d+)*)?[mwd]?");
    private static final Pattern PEP508_NAME_END = Pattern.compile("[\\[<>=!~;@(,\\s]");
    private static final Pattern ARCHIVE = Pattern.compile(".*\\.(whl|tar\\.gz|tgz|tar\\.bz2|tar\\.xz|zip|gem|crate)$");
    private static final Pattern URL_SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*://.*", Pattern.CASE_INSENSITIVE);

    // Options that take a value, per tool family; an option not listed is taken as a flag.
    private static final Set<String> PIP_VALUE_OPTIONS = Set.of(
            "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
            "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
            "--upgrade-strategy", "--python-version", "--platform", "--implementation", "--abi",
            "--no-binary", "--only-binary", "--progress-bar", "--trusted-host", "--cert", "--client-cert",
            "--proxy", "--retries", "--timeout", "--exists-action", "--log", "--log-file", "--cache-dir",
            "-C", "--config-settings", "--global-option", "--build-option", "--report", "--python",
            "--root-user-action", "--keyring-provider", "--use-feature", "--use-deprecated", "--group",
            "--dry-run-report",
            // uv pip install
            "-p", "--index", "--default-index", "--index-strategy", "--resolution", "--prerelease",
            "--exclude-newer", "--link-mode", "--python-platform", "--overrides", "--override",
            "--build-constraints", "--build-constraint", "-b", "--extra", "--config-file", "--directory",
            "--project", "--color", "--torch-backend", "--refresh-package", "--reinstall-package",
            "-P", "--upgrade-package", "--no-build-package", "--no-binary-package");
    private static final Set<String> UV_GLOBAL_VALUE_OPTIONS = Set.of(
            "--directory", "--project", "--config-file", "--cache-dir", "--color", "--python", "-p",
            "--allow-insecure-host");
    private static final Set<String> UV_ADD_VALUE_OPTIONS = Set.of(
            "-r", "--requirements", "-c", "--constraints", "--optional", "--group", "--extra",
            "--rev", "--tag", "--branch", "--index", "--default-index", "--index-url", "--extra-index-url",
            "-i", "-f", "--find-links", "--package", "--script", "--python", "-p", "--directory",
            "--project", "--config-file", "--cache-dir", "--bounds", "--marker", "-m", "--resolution",
            "--prerelease", "--exclude-newer", "--link-mode", "--index-strategy", "--keyring-provider",
            "--color", "-P", "--upgrade-package");
    private static final Set<String> POETRY_VALUE_OPTIONS = Set.of(
            "-G", "--group", "-E", "--extras", "--python", "--platform", "--source", "--markers",
            "-C", "--directory", "-P", "--project");
    private static final Set<String> PIPENV_VALUE_OPTIONS = Set.of(
            "-r", "--requirements", "-e", "--editable", "--categories", "-i", "--index",
            "--extra-index-url", "--python", "--pypi-mirror");
    private static final Set<String> NPM_VALUE_OPTIONS = Set.of(
            "--prefix", "-C", "--tag", "--registry", "-w", "--workspace", "--omit", "--include",
            "--install-strategy", "--cache", "--userconfig", "--globalconfig", "--loglevel",
            "--save-prefix", "--before", "--cpu", "--os", "--libc", "--scope", "--otp", "--script-shell",
            "--node-options", "--location", "--filter", "--dir", "--cwd", "--network-concurrency",
            "--child-concurrency", "--modules-folder", "--mutex", "--config", "--catalog-name",
            "--backend", "--concurrent-scripts", "--cache-dir", "--allow-build", "--trust");
    private static final Set<String> NPX_VALUE_OPTIONS = Set.of(
            "-p", "--package", "-c", "--call", "--node-options", "--registry", "--cache", "--prefix",
            "--userconfig", "--loglevel", "-w", "--workspace", "--shell");
    private static final Set<String> CARGO_VALUE_OPTIONS = Set.of(
            "--git", "--branch", "--tag", "--rev", "--path", "--registry", "--index", "--version",
            "--vers", "-F", "--features", "--rename", "--target", "--target-dir", "--root", "-j",
            "--jobs", "--profile", "--bin", "--example", "--package", "-p", "--manifest-path",
            "--config", "-Z", "--color", "--lockfile-path");
    private static final Set<String> GEM_VALUE_OPTIONS = Set.of(
            "-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--document", "--build-root",
            "-P", "--trust-policy", "-s", "--source", "-p", "--http-proxy", "--platform", "-g",
            "--file", "--config-file", "--without", "--target-rbconfig");
    private static final Set<String> GO_VALUE_OPTIONS = Set.of(
            "-C", "-p", "-mod", "-modfile", "-overlay", "-pkgdir", "-tags", "-toolexec", "-exec",
            "-o", "-gcflags", "-ldflags", "-asmflags", "-gccgoflags", "-buildmode", "-compiler",
            "-installsuffix", "-pgo", "-covermode", "-coverpkg", "-buildvcs");
    private static final Set<String> NPM_INSTALL_COMMANDS = Set.of(
            "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add");

    /** Parses a command line as a shell would split it (quotes and backslashes honoured). */
    public List<PackageRequest> parse(final String commandLine) {
        return parse(tokenize(commandLine));
    }

    /** Parses an argument vector whose first element is the program. */
    public List<PackageRequest> parse(final List<String> argv) {
        if (argv.isEmpty()) {
            return List.of();
        }
        final String program = basename(argv.get(0)).toLowerCase(Locale.ROOT);
        final List<PackageRequest> out = new ArrayList<>();
        if (PIP.matcher(program).matches()) {
            final int command = skipToCommand(argv, 1, Set.of());
            if ("install".equals(at(argv, command))) {
                pip(argv, command + 1, program + " install", out);
            }
        } else if (PYTHON.matcher(program).matches()) {
            pythonModule(argv, program, out);
        } else {
            switch (program) {
                case "uv" -> uv(argv, out);
                case "poetry" -> subcommand(argv, "add", Set.of("-C", "--directory", "-P", "--project"),
                        rest -> pythonNames(rest, "poetry add", POETRY_VALUE_OPTIONS, out));
                case "pipenv" -> subcommand(argv, "install", Set.of("--python"),
                        rest -> pipLike(rest, "pipenv install", PIPENV_VALUE_OPTIONS, out));
                case "npm" -> npm(argv, out);
                case "npx" -> npx(argv, 1, "npx", out);
                case "yarn" -> yarn(argv, out);
                case "pnpm" -> pnpm(argv, out);
                case "pnpx" -> npx(argv, 1, "pnpx", out);
                case "bun" -> bun(argv, out);
                case "bunx" -> npx(argv, 1, "bunx", out);
                case "cargo" -> cargo(argv, out);
                case "gem" -> subcommandAnyOf(argv, Set.of("install", "i"), GEM_VALUE_OPTIONS,
                        rest -> gem(rest, out));
                case "go" -> subcommandAnyOf(argv, Set.of("get", "install"), GO_VALUE_OPTIONS,
                        rest -> go(rest, "go " + argv.get(rest.start() - 1), out));
                default -> {
                    // not an installer
                }
            }
        }
        return List.copyOf(out);
    }

    // ---- Python ----

    private void pythonModule(final List<String> argv, final String program, final List<PackageRequest> out) {
        // python [-I -E -s -u -B …] [-W arg] [-X opt] -m MODULE args
        int i = 1;
        while (i < argv.size()) {
            final String arg = argv.get(i);
            if (arg.equals("-m") && i + 1 < argv.size()) {
                module(argv, i + 2, argv.get(i + 1), program, out);
                return;
            }
            if (arg.startsWith("-m") && arg.length() > 2) {
                module(argv, i + 1, arg.substring(2), program, out);
                return;
            }
            if (arg.equals("-W") || arg.equals("-X")) {
                i += 2;
            } else if (arg.startsWith("-") && !arg.equals("-") && !arg.startsWith("-c")) {
                i++;
            } else {
                return; // a script, -c code or stdin: not an install
            }
        }
    }

    private void module(final List<String> argv, final int from, final String module, final String program,
                        final List<PackageRequest> out) {
        if (module.equals("pip") || module.equals("pip3")) {
            final int command = skipToCommand(argv, from, Set.of());
            if ("install".equals(at(argv, command))) {
                pip(argv, command + 1, program + " -m pip install", out);
            }
        } else if (module.equals("uv")) {
            final List<String> shifted = new ArrayList<>();
            shifted.add("uv");
            shifted.addAll(argv.subList(from, argv.size()));
            uv(shifted, out);
        }
    }

    private void uv(final List<String> argv, final List<PackageRequest> out) {
        final int command = skipToCommand(argv, 1, UV_GLOBAL_VALUE_OPTIONS);
        final String verb = at(argv, command);
        if ("pip".equals(verb)) {
            final int sub = skipToCommand(argv, command + 1, UV_GLOBAL_VALUE_OPTIONS);
            if ("install".equals(at(argv, sub))) {
                pip(argv, sub + 1, "uv pip install", out);
            }
        } else if ("add".equals(verb)) {
            pipLike(new Rest(argv, command + 1), "uv add", UV_ADD_VALUE_OPTIONS, out);
        }
    }

    private void pip(final List<String> argv, final int from, final String tool, final List<PackageRequest> out) {
        pipLike(new Rest(argv, from), tool, PIP_VALUE_OPTIONS, out);
    }

    /** pip's grammar, shared by uv and pipenv: -r files, -e editables, PEP 508 requirements. */
    private void pipLike(final Rest rest, final String tool, final Set<String> valueOptions,
                         final List<PackageRequest> out) {
        final List<String> positionals = new ArrayList<>();
        scan(rest, valueOptions, (option, value) -> {
            switch (option) {
                case "-r", "--requirement", "--requirements" ->
                        out.add(PackageRequest.requirementsFile(Ecosystem.PYPI, tool, value));
                case "-e", "--editable" -> {
                    if (value != null) { // uv add --editable is a flag: its path is a positional
                        out.add(PackageRequest.directUrl(Ecosystem.PYPI, tool, eggName(value), value));
                    }
                }
                default -> {
                    // an option that does not name what gets installed
                }
            }
        }, positionals);
        pep508(positionals, tool, out);
    }

    /** poetry add: {@code pkg@^2}, {@code pkg[extra]>=1}, paths and URLs. */
    private void pythonNames(final Rest rest, final String tool, final Set<String> valueOptions,
                             final List<PackageRequest> out) {
        final List<String> positionals = new ArrayList<>();
        scan(rest, valueOptions, (option, value) -> { }, positionals);
        pep508(positionals, tool, out);
    }

    private void pep508(final List<String> positionals, final String tool, final List<PackageRequest> out) {
        for (int i = 0; i < positionals.size(); i++) {
            final String spec = positionals.get(i);
            if (spec.equals("@") && !out.isEmpty() && i + 1 < positionals.size()) {
                // "name @ https://…" split by the shell: the name is fetched from the URL
                final PackageRequest named = out.remove(out.size() - 1);
                final String url = positionals.get(++i);
                out.add(PackageRequest.directUrl(Ecosystem.PYPI, tool, named.name(), named.spec() + " @ " + url));
                continue;
            }
            final int at = spec.indexOf('@');
            if (at > 0 && isDirect(spec.substring(at + 1).trim())) {
                out.add(PackageRequest.directUrl(Ecosystem.PYPI, tool, pep508Name(spec.substring(0, at)), spec));
            } else if (isDirect(spec)) {
                out.add(PackageRequest.directUrl(Ecosystem.PYPI, tool, eggName(spec), spec));
            } else if (!isVersionContinuation(spec)) {
                final String name = pep508Name(spec);
                if (!name.isEmpty()) {
                    out.add(PackageRequest.name(Ecosystem.PYPI, tool, name, spec));
                }
            }
        }
    }

    private static String pep508Name(final String spec) {
        final var matcher = PEP508_NAME_END.matcher(spec);
        return (matcher.find() ? spec.substring(0, matcher.start()) : spec).trim();
    }

    /** "requests >= 2, <3" loses its quotes in proc.args: the pieces after the name are not names. */
    private static boolean isVersionContinuation(final String token) {
        final char first = token.charAt(0);
        return "<>=!~,;([".indexOf(first) >= 0 || token.matches("\\d[\\d.*]*,?|\\*");
    }

    private static String eggName(final String spec) {
        final int egg = spec.indexOf("#egg=");
        if (egg < 0) {
            return "";
        }
        final String name = spec.substring(egg + 5);
        final int end = name.indexOf('&');
        return end < 0 ? name : name.substring(0, end);
    }

    // ---- JavaScript ----

    private void npm(final List<String> argv, final List<PackageRequest> out) {
        final int command = skipToCommand(argv, 1, NPM_VALUE_OPTIONS);
        final String verb = at(argv, command);
        if (verb == null) {
            return;
        }
        if (NPM_INSTALL_COMMANDS.contains(verb)) {
            npmNames(new Rest(argv, command + 1), "npm " + verb, out);
        } else if (verb.equals("exec") || verb.equals("x")) {
            npx(argv, command + 1, "npm " + verb, out);
        }
    }

    private void yarn(final List<String> argv, final List<PackageRequest> out) {
        int command = skipToCommand(argv, 1, NPM_VALUE_OPTIONS);
        String verb = at(argv, command);
        if ("global".equals(verb)) {
            command = skipToCommand(argv, command + 1, NPM_VALUE_OPTIONS);
            verb = at(argv, command);
        }
        if ("add".equals(verb)) {
            npmNames(new Rest(argv, command + 1), "yarn add", out);
        } else if ("dlx".equals(verb)) {
            npx(argv, command + 1, "yarn dlx", out);
        }
    }

    private void pnpm(final List<String> argv, final List<PackageRequest> out) {
        final int command = skipToCommand(argv, 1, NPM_VALUE_OPTIONS);
        final String verb = at(argv, command);
        if ("add".equals(verb) || "install".equals(verb) || "i".equals(verb)) {
            npmNames(new Rest(argv, command + 1), "pnpm " + verb, out);
        } else if ("dlx".equals(verb)) {
            npx(argv, command + 1, "pnpm dlx", out);
        }
    }

    private void bun(final List<String> argv, final List<PackageRequest> out) {
        final int command = skipToCommand(argv, 1, NPM_VALUE_OPTIONS);
        final String verb = at(argv, command);
        if ("add".equals(verb) || "a".equals(verb) || "install".equals(verb) || "i".equals(verb)) {
            npmNames(new Rest(argv, command + 1), "bun " + verb, out);
        } else if ("x".equals(verb)) {
            npx(argv, command + 1, "bun x", out);
        }
    }

    private void npmNames(final Rest rest, final String tool, final List<PackageRequest> out) {
        final List<String> positionals = new ArrayList<>();
        scan(rest, NPM_VALUE_OPTIONS, (option, value) -> { }, positionals);
        for (final String spec : positionals) {
            out.add(npmSpec(spec, tool));
        }
    }

    /** npx [options] PKG[@ver] [args…]: -p names the packages, else the first positional is one; the rest are its arguments. */
    private void npx(final List<String> argv, final int from, final String tool, final List<PackageRequest> out) {
        final List<PackageRequest> packages = new ArrayList<>();
        final boolean[] callsCommand = {false};
        int i = from;
        while (i < argv.size()) {
            final String arg = argv.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                break;
            }
            final String option = optionName(arg);
            String value = inlineValue(arg);
            if (value == null && NPX_VALUE_OPTIONS.contains(option) && i + 1 < argv.size()) {
                value = argv.get(++i);
            }
            if ((option.equals("-p") || option.equals("--package")) && value != null) {
                packages.add(npmSpec(value, tool));
            } else if (option.equals("-c") || option.equals("--call")) {
                callsCommand[0] = true;
            }
            i++;
        }
        if (packages.isEmpty() && !callsCommand[0] && i < argv.size()) {
            packages.add(npmSpec(argv.get(i), tool));
        }
        out.addAll(packages);
    }

    private static PackageRequest npmSpec(final String spec, final String tool) {
        final String lower = spec.toLowerCase(Locale.ROOT);
        if (isDirect(spec) || lower.startsWith("github:") || lower.startsWith("gitlab:")
                || lower.startsWith("bitbucket:") || lower.startsWith("gist:") || lower.startsWith("file:")
                || lower.startsWith("link:") || lower.startsWith("workspace:")
                || !spec.startsWith("@") && beforeAt(spec).indexOf('/') > 0) {
            return PackageRequest.directUrl(Ecosystem.NPM, tool, "", spec);
        }
        // @scope/name@range, name@range, alias@npm:real@range
        final int versionAt = spec.indexOf('@', spec.startsWith("@") ? 1 : 0);
        final String name = versionAt < 0 ? spec : spec.substring(0, versionAt);
        final String range = versionAt < 0 ? "" : spec.substring(versionAt + 1);
        if (range.startsWith("npm:")) {
            final PackageRequest real = npmSpec(range.substring(4), tool);
            return new PackageRequest(Ecosystem.NPM, tool, real.kind(), real.name(), spec);
        }
        if (isDirect(range) || range.startsWith("github:") || range.startsWith("file:")) {
            return PackageRequest.directUrl(Ecosystem.NPM, tool, name, spec);
        }
        return PackageRequest.name(Ecosystem.NPM, tool, name, spec);
    }

    // ---- Rust, Ruby, Go ----

    private void cargo(final List<String> argv, final List<PackageRequest> out) {
        final int command = skipToCommand(argv, 1, CARGO_VALUE_OPTIONS);
        final String verb = at(argv, command);
        if (!"add".equals(verb) && !"install".equals(verb)) {
            return;
        }
        final String tool = "cargo " + verb;
        final List<String> positionals = new ArrayList<>();
        final String[] source = {null};
        scan(new Rest(argv, command + 1), CARGO_VALUE_OPTIONS, (option, value) -> {
            if (option.equals("--git") || option.equals("--path")) {
                source[0] = value;
            }
        }, positionals);
        if (source[0] != null) {
            // crates from a git repository or a path bypass crates.io, named or not
            if (positionals.isEmpty()) {
                out.add(PackageRequest.directUrl(Ecosystem.CRATES, tool, "", source[0]));
            }
            for (final String spec : positionals) {
                out.add(PackageRequest.directUrl(Ecosystem.CRATES, tool, beforeAt(spec), source[0]));
            }
            return;
        }
        for (final String spec : positionals) {
            if (isDirect(spec)) {
                out.add(PackageRequest.directUrl(Ecosystem.CRATES, tool, "", spec));
            } else {
                out.add(PackageRequest.name(Ecosystem.CRATES, tool, beforeAt(spec), spec));
            }
        }
    }

    private void gem(final Rest rest, final List<PackageRequest> out) {
        final List<String> positionals = new ArrayList<>();
        scan(rest, GEM_VALUE_OPTIONS, (option, value) -> { }, positionals);
        for (final String spec : positionals) {
            if (isDirect(spec)) {
                out.add(PackageRequest.directUrl(Ecosystem.RUBYGEMS, "gem install", "", spec));
            } else {
                final int colon = spec.indexOf(':'); // gem install rails:7.1.0
                out.add(PackageRequest.name(Ecosystem.RUBYGEMS, "gem install",
                        colon < 0 ? spec : spec.substring(0, colon), spec));
            }
        }
    }

    private void go(final Rest rest, final String tool, final List<PackageRequest> out) {
        final List<String> positionals = new ArrayList<>();
        scan(rest, GO_VALUE_OPTIONS, (option, value) -> { }, positionals);
        for (final String spec : positionals) {
            final String path = beforeAt(spec);
            // ./cmd/x, ., all: building the local module, not fetching one
            if (path.startsWith(".") || path.startsWith("/") || !path.contains(".") && !path.contains("/")) {
                continue;
            }
            out.add(PackageRequest.name(Ecosystem.GO, tool, path, spec));
        }
    }

    // ---- shared argument scanning ----

    /** What is left of argv after the command words. */
    private record Rest(List<String> argv, int start) {
    }

    /** Receives an option and its value (null for a flag). */
    private interface OptionHandler {
        void option(String option, String value);
    }

    private interface RestHandler {
        void handle(Rest rest);
    }

    /**
     * Walks options and positionals the way getopt-style parsers do: {@code --opt=value},
     * {@code --opt value} and {@code -o value} for options known to take a value,
     * {@code -ovalue} for short ones, flags otherwise, and {@code --} ends the options.
     */
    private static void scan(final Rest rest, final Set<String> valueOptions, final OptionHandler handler,
                             final List<String> positionals) {
        final List<String> argv = rest.argv();
        for (int i = rest.start(); i < argv.size(); i++) {
            final String arg = argv.get(i);
            if (arg.equals("--")) {
                for (final String after : argv.subList(i + 1, argv.size())) {
                    if (!after.isEmpty()) {
                        positionals.add(after);
                    }
                }
                return;
            }
            if (arg.isEmpty()) {
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                positionals.add(arg);
                continue;
            }
            final String option = optionName(arg);
            String value = inlineValue(arg);
            if (value == null && valueOptions.contains(option)) {
                value = i + 1 < argv.size() ? argv.get(++i) : "";
            }
            handler.option(option, value);
        }
    }

    /** "--index-url=x" → "--index-url"; "-rreqs.txt" → "-r" when -r takes a value (decided by the caller through the set). */
    private static String optionName(final String arg) {
        if (arg.startsWith("--")) {
            final int eq = arg.indexOf('=');
            return eq < 0 ? arg : arg.substring(0, eq);
        }
        return arg.length() > 2 ? arg.substring(0, 2) : arg;
    }

    private static String inlineValue(final String arg) {
        if (arg.startsWith("--")) {
            final int eq = arg.indexOf('=');
            return eq < 0 ? null : arg.substring(eq + 1);
        }
        if (arg.length() > 2) {
            return arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2);
        }
        return null;
    }

    /** Index of the first positional argument at or after {@code from}, skipping global options. */
    private static int skipToCommand(final List<String> argv, final int from, final Set<String> valueOptions) {
        int i = from;
        while (i < argv.size() && argv.get(i).startsWith("-") && !argv.get(i).equals("-")) {
            final String arg = argv.get(i);
            i += valueOptions.contains(arg) ? 2 : 1;
        }
        return i;
    }

    private void subcommand(final List<String> argv, final String verb, final Set<String> globalValueOptions,
                            final RestHandler handler) {
        final int command = skipToCommand(argv, 1, globalValueOptions);
        if (verb.equals(at(argv, command))) {
            handler.handle(new Rest(argv, command + 1));
        }
    }

    private void subcommandAnyOf(final List<String> argv, final Set<String> verbs, final Set<String> valueOptions,
                                 final RestHandler handler) {
        final int command = skipToCommand(argv, 1, valueOptions);
        final String verb = at(argv, command);
        if (verb != null && verbs.contains(verb)) {
            handler.handle(new Rest(argv, command + 1));
        }
    }

    private static String at(final List<String> argv, final int index) {
        return index < argv.size() ? argv.get(index) : null;
    }

    private static String beforeAt(final String spec) {
        final int at = spec.indexOf('@');
        return at < 0 ? spec : spec.substring(0, at);
    }

    private static String basename(final String path) {
        final int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** A local path, VCS URL or archive: what the installer fetches without asking the registry by name. */
    static boolean isDirect(final String spec) {
        if (spec.isEmpty()) {
            return false;
        }
        final String lower = spec.toLowerCase(Locale.ROOT);
        return URL_SCHEME.matcher(lower).matches()
                || lower.startsWith("git+") || lower.startsWith("hg+") || lower.startsWith("svn+")
                || lower.startsWith("bzr+") || lower.startsWith("git@") || lower.startsWith("file:")
                || lower.startsWith(".") || lower.startsWith("/") || lower.startsWith("~")
                || lower.startsWith("\\") || lower.matches("^[a-z]:\\\\.*")
                || ARCHIVE.matcher(lower).matches();
    }

    /** Splits a command line into words as a POSIX shell would (quotes, backslash escapes); never fails. */
    static List<String> tokenize(final String commandLine) {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < commandLine.length(); i++) {
            final char c = commandLine.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < commandLine.length() && "\"\\$`".indexOf(commandLine.charAt(i + 1)) >= 0) {
                    word.append(commandLine.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\') {
                // a trailing backslash is a line continuation: nothing follows it
                if (i + 1 < commandLine.length()) {
                    word.append(commandLine.charAt(++i));
                    inWord = true;
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
