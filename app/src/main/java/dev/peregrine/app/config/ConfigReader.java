package dev.peregrine.app.config;

import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.redaction.RedactionPattern;
import dev.peregrine.alerting.routing.Route;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads and checks {@code peregrine.yaml}: every problem in the file is reported, not just the first. */
public final class ConfigReader {

    /** Input formats the collector detects, plus {@code auto}. */
    private static final Set<String> FORMATS = Set.of("auto", "native", "agent", "auditd", "falco", "tetragon",
            "claude-code");

    private final Function<String, String> environment;

    /** A reader that takes {@code ${VAR}} values from {@code environment}. */
    public ConfigReader(final Function<String, String> environment) {
        this.environment = environment;
    }

    /** A reader that takes {@code ${VAR}} values from the process environment. */
    public static ConfigReader withSystemEnvironment() {
        return new ConfigReader(System::getenv);
    }

    /** Reads {@code file}; a file that cannot be read, parsed or used throws with every problem found. */
    public PeregrineConfig read(final Path file) throws ConfigException {
        final String name = file.toString();
        final Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            final LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // reported by entries() with their position instead
            root = new Yaml(options).compose(reader);
        } catch (final NoSuchFileException e) {
            throw new ConfigException(List.of(name + ": no such file"));
        } catch (final MarkedYAMLException e) {
            final Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            final String where = mark == null ? name : name + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new ConfigException(List.of(where + ": not valid YAML: " + e.getProblem()));
        } catch (final IOException e) {
            throw new ConfigException(List.of(name + ": cannot be read: " + e.getMessage()));
        }
        final List<String> problems = new ArrayList<>();
        final PeregrineConfig config;
        if (root == null) {
            config = read(null, problems, name);
        } else {
            config = read(new ConfigNode(name, "", root, problems, environment), problems, name);
        }
        if (!problems.isEmpty()) {
            // reported in file order, however the sections were visited
            problems.sort(Comparator.comparingInt((String problem) -> position(problem, name, 1))
                    .thenComparingInt(problem -> position(problem, name, 2)));
            throw new ConfigException(problems);
        }
        return config;
    }

    /** Line ({@code part} 1) or column (2) of a problem written as {@code file:line:column: …}. */
    private static int position(final String problem, final String file, final int part) {
        final String[] numbers = problem.substring(file.length() + 1).split(":", 3);
        try {
            return Integer.parseInt(numbers[part - 1]);
        } catch (final RuntimeException e) {
            return 0;
        }
    }

    private static PeregrineConfig read(final ConfigNode root, final List<String> problems, final String file) {
        final Map<String, ConfigNode> top = root == null ? Map.of()
                : root.entries(Set.of("http", "inputs", "ingest", "rules", "alerts", "state_dir", "detections",
                        "archive", "rules_watch"));
        final PeregrineConfig.Http http = http(top.get("http"));
        final PeregrineConfig.Inputs inputs = inputs(top.get("inputs"));
        final PeregrineConfig.Ingest ingest = ingest(top.get("ingest"));
        final List<Path> rules = new ArrayList<>();
        if (top.containsKey("rules")) {
            for (final ConfigNode item : top.get("rules").items()) {
                item.path().ifPresent(rules::add);
            }
        }
        final Optional<Boolean> rulesWatch = Optional.ofNullable(top.get("rules_watch")).flatMap(ConfigNode::bool);
        final PeregrineConfig.Alerts alerts = alerts(top.get("alerts"));
        final Optional<Path> stateDir = Optional.ofNullable(top.get("state_dir")).flatMap(ConfigNode::path);
        final Optional<PeregrineConfig.Section> detections = Optional.ofNullable(top.get("detections"))
                .map(node -> {
                    if (!node.isNull() && !node.isMapping()) {
                        node.problem("must be a mapping of detection names to their settings");
                    }
                    return new PeregrineConfig.Section(node.file(), node.keyPath(), node.yaml());
                });
        final Optional<PeregrineConfig.Archive> archive = Optional.ofNullable(top.get("archive"))
                .flatMap(ConfigReader::archive);
        return new PeregrineConfig(http, inputs, ingest, rules, alerts, stateDir, detections, archive, rulesWatch);
    }

    private static Optional<PeregrineConfig.Archive> archive(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("dir", "max_file_bytes"));
        if (!entries.containsKey("dir")) {
            if (!node.isNull()) {
                node.problem("an archive needs a dir (the folder of its hourly .ndjson.gz files)");
            }
            return Optional.empty();
        }
        return entries.get("dir").path().map(dir -> new PeregrineConfig.Archive(dir,
                Optional.ofNullable(entries.get("max_file_bytes"))
                        .flatMap(max -> max.integer(1 << 20, Integer.MAX_VALUE)).map(Integer::longValue)));
    }

    private static PeregrineConfig.Http http(final ConfigNode node) {
        if (node == null) {
            return PeregrineConfig.Http.unset();
        }
        final Map<String, ConfigNode> entries = node.entries(Set.of("host", "port", "tls", "metrics_token",
                "metrics_open"));
        final Optional<String> metricsToken = Optional.ofNullable(entries.get("metrics_token"))
                .flatMap(ConfigNode::nonEmptyText).filter(secret -> {
                    if (secret.length() < 16) {
                        entries.get("metrics_token").problem("is too short to be a secret: use at least 16 "
                                + "characters (e.g. openssl rand -hex 24)");
                        return false;
                    }
                    return true;
                });
        return new PeregrineConfig.Http(
                Optional.ofNullable(entries.get("host")).flatMap(ConfigNode::nonEmptyText),
                Optional.ofNullable(entries.get("port")).flatMap(port -> port.integer(0, 65_535)),
                Optional.ofNullable(entries.get("tls")).flatMap(ConfigReader::tls),
                metricsToken,
                Optional.ofNullable(entries.get("metrics_open")).flatMap(ConfigNode::bool));
    }

    /**
     * {@code http.tls}: PEM {@code certificate} and {@code private_key}, or a PKCS#12 {@code keystore}
     * and its {@code keystore_password}; read now, so a missing file, an unreadable key or a key of
     * another certificate is a configuration problem at the key that names it.
     */
    private static Optional<TlsIdentity> tls(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("certificate", "private_key", "keystore",
                "keystore_password"));
        final boolean pem = entries.containsKey("certificate") || entries.containsKey("private_key");
        if (pem && entries.containsKey("keystore")) {
            node.problem("give either certificate and private_key (PEM) or a keystore (PKCS#12), not both");
            return Optional.empty();
        }
        try {
            if (entries.containsKey("keystore")) {
                final Optional<Path> keystore = entries.get("keystore").path();
                final Optional<String> password = Optional.ofNullable(entries.get("keystore_password"))
                        .map(ConfigNode::text).orElse(Optional.of(""));
                if (keystore.isEmpty() || password.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(TlsIdentity.fromKeystore(keystore.get(), password.get().toCharArray()));
            }
            if (!entries.containsKey("certificate") || !entries.containsKey("private_key")) {
                if (!node.isNull()) {
                    node.problem("needs certificate and private_key (PEM files), or keystore and keystore_password");
                }
                return Optional.empty();
            }
            final Optional<Path> certificate = entries.get("certificate").path();
            final Optional<Path> key = entries.get("private_key").path();
            if (certificate.isEmpty() || key.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(TlsIdentity.fromPem(certificate.get(), key.get()));
        } catch (final TlsIdentity.UnusableFile e) {
            final ConfigNode at = switch (e.part()) {
                case CERTIFICATE -> entries.get("certificate");
                case PRIVATE_KEY -> entries.get("private_key");
                case KEYSTORE -> e.getMessage().contains("password") && entries.containsKey("keystore_password")
                        ? entries.get("keystore_password") : entries.get("keystore");
            };
            at.problem(e.getMessage());
            return Optional.empty();
        }
    }

    private static PeregrineConfig.Inputs inputs(final ConfigNode node) {
        if (node == null) {
            return new PeregrineConfig.Inputs(List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
        final Map<String, ConfigNode> entries = node.entries(
                Set.of("follow", "stdin", "procfs", "format", "max_line_bytes", "dead_letter"));
        final List<Path> follow = new ArrayList<>();
        if (entries.containsKey("follow")) {
            for (final ConfigNode item : entries.get("follow").items()) {
                item.path().ifPresent(follow::add);
            }
        }
        return new PeregrineConfig.Inputs(follow,
                Optional.ofNullable(entries.get("stdin")).flatMap(ConfigNode::bool),
                Optional.ofNullable(entries.get("procfs")).flatMap(ConfigNode::bool),
                Optional.ofNullable(entries.get("format")).flatMap(format -> format.choice(FORMATS)),
                Optional.ofNullable(entries.get("max_line_bytes")).flatMap(max -> max.integer(1024, 64 << 20)),
                Optional.ofNullable(entries.get("dead_letter")).flatMap(ConfigNode::path));
    }

    private static PeregrineConfig.Ingest ingest(final ConfigNode node) {
        if (node == null) {
            return new PeregrineConfig.Ingest(Optional.empty(), List.of());
        }
        final Map<String, ConfigNode> entries = node.entries(Set.of("enabled", "tokens"));
        final List<PeregrineConfig.Token> tokens = new ArrayList<>();
        final Set<String> names = new java.util.HashSet<>();
        if (entries.containsKey("tokens")) {
            for (final ConfigNode item : entries.get("tokens").items()) {
                token(item).ifPresent(token -> {
                    if (!names.add(token.name())) {
                        item.problem("a second token named '" + token.name() + "'; names must be unique");
                    } else {
                        tokens.add(token);
                    }
                });
            }
        }
        return new PeregrineConfig.Ingest(Optional.ofNullable(entries.get("enabled")).flatMap(ConfigNode::bool),
                tokens);
    }

    private static Optional<PeregrineConfig.Token> token(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("name", "token", "agent", "session", "sandbox"));
        if (!entries.containsKey("name") || !entries.containsKey("token")) {
            node.problem("a token needs a name and a token (write token: ${ENV_VAR} to keep the secret out of the file)");
            return Optional.empty();
        }
        final Optional<String> name = entries.get("name").nonEmptyText();
        final Optional<String> secret = entries.get("token").nonEmptyText();
        if (secret.isPresent() && secret.get().length() < 16) {
            entries.get("token").problem("is too short to be a secret: use at least 16 characters "
                    + "(peregrine prints a generated one when ingest starts without tokens)");
            return Optional.empty();
        }
        if (name.isEmpty() || secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PeregrineConfig.Token(name.get(), secret.get(),
                Optional.ofNullable(entries.get("agent")).flatMap(ConfigNode::nonEmptyText),
                Optional.ofNullable(entries.get("session")).flatMap(ConfigNode::nonEmptyText),
                Optional.ofNullable(entries.get("sandbox")).flatMap(ConfigNode::nonEmptyText)));
    }

    private static PeregrineConfig.Alerts alerts(final ConfigNode node) {
        if (node == null) {
            return PeregrineConfig.Alerts.unset();
        }
        final Map<String, ConfigNode> entries = node.entries(Set.of("stdout", "file", "dedup_window", "webhooks",
                "syslog", "elasticsearch", "kafka", "spool_dir", "routes", "redaction"));
        final List<PeregrineConfig.Webhook> webhooks = new ArrayList<>();
        if (entries.containsKey("webhooks")) {
            for (final ConfigNode item : entries.get("webhooks").items()) {
                webhook(item).ifPresent(webhooks::add);
            }
        }
        final List<URI> syslog = new ArrayList<>();
        if (entries.containsKey("syslog")) {
            for (final ConfigNode item : entries.get("syslog").items()) {
                syslog(item).ifPresent(syslog::add);
            }
        }
        final Optional<Duration> window = Optional.ofNullable(entries.get("dedup_window"))
                .flatMap(ConfigNode::duration);
        final Optional<PeregrineConfig.Elasticsearch> elasticsearch = Optional.ofNullable(entries.get("elasticsearch"))
                .flatMap(ConfigReader::elasticsearch);
        final Optional<PeregrineConfig.Kafka> kafka = Optional.ofNullable(entries.get("kafka"))
                .flatMap(ConfigReader::kafka);
        // the names a route may use: the same names the sinks' spools and metrics carry
        final Set<String> sinkNames = new LinkedHashSet<>(List.of("stdout", "file"));
        for (int i = 1; i <= webhooks.size(); i++) {
            sinkNames.add("webhook-" + i);
        }
        for (int i = 1; i <= syslog.size(); i++) {
            sinkNames.add("syslog-" + i);
        }
        sinkNames.add("elasticsearch");
        sinkNames.add("kafka");
        final Map<String, Route> routes = entries.containsKey("routes")
                ? routes(entries.get("routes"), sinkNames) : Map.of();
        return new PeregrineConfig.Alerts(
                Optional.ofNullable(entries.get("stdout")).flatMap(ConfigNode::bool),
                Optional.ofNullable(entries.get("file")).flatMap(ConfigNode::path),
                window, webhooks, syslog, elasticsearch, kafka,
                Optional.ofNullable(entries.get("spool_dir")).flatMap(ConfigNode::path), routes,
                Optional.ofNullable(entries.get("redaction")).flatMap(ConfigReader::redaction));
    }

    private static Optional<PeregrineConfig.Elasticsearch> elasticsearch(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("url", "index", "api_key", "kibana_url"));
        final ConfigNode urlNode = entries.get("url");
        if (urlNode == null) {
            node.problem("needs a url, e.g. http://127.0.0.1:9200");
            return Optional.empty();
        }
        return httpUrl(urlNode).map(url -> new PeregrineConfig.Elasticsearch(url,
                Optional.ofNullable(entries.get("index")).flatMap(ConfigNode::nonEmptyText),
                Optional.ofNullable(entries.get("api_key")).flatMap(ConfigNode::nonEmptyText),
                Optional.ofNullable(entries.get("kibana_url")).flatMap(ConfigReader::httpUrl)));
    }

    private static Optional<PeregrineConfig.Kafka> kafka(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("bootstrap", "topic"));
        final ConfigNode bootstrap = entries.get("bootstrap");
        if (bootstrap == null) {
            node.problem("needs bootstrap (HOST:PORT[,HOST:PORT…])");
            return Optional.empty();
        }
        return bootstrap.nonEmptyText().flatMap(servers -> {
            for (final String server : servers.split(",")) {
                final int colon = server.strip().lastIndexOf(':');
                if (colon < 1 || !server.strip().substring(colon + 1).matches("[0-9]{1,5}")) {
                    bootstrap.problem("must be HOST:PORT[,HOST:PORT…], not '" + servers + "'");
                    return Optional.empty();
                }
            }
            return Optional.of(new PeregrineConfig.Kafka(servers.strip(),
                    Optional.ofNullable(entries.get("topic")).flatMap(ConfigNode::nonEmptyText)));
        });
    }

    /** {@code routes:} maps sink names to the alerts they take; an unknown sink name is a problem. */
    private static Map<String, Route> routes(final ConfigNode node, final Set<String> sinkNames) {
        final Map<String, Route> routes = new LinkedHashMap<>();
        node.entries(sinkNames).forEach((sink, routeNode) -> {
            final Map<String, ConfigNode> entries = routeNode.entries(
                    Set.of("min_priority", "tags", "rules", "exclude_rules"));
            Priority minimum = Priority.DEBUG;
            if (entries.containsKey("min_priority")) {
                final ConfigNode priority = entries.get("min_priority");
                final Optional<Priority> parsed = priority.text().flatMap(Priority::parse);
                if (parsed.isEmpty()) {
                    priority.problem("must be a priority: emergency, alert, critical, error, warning, notice, "
                            + "informational or debug");
                } else {
                    minimum = parsed.get();
                }
            }
            routes.put(sink, new Route(sink, minimum, words(entries.get("tags")), words(entries.get("rules")),
                    words(entries.get("exclude_rules"))));
        });
        return routes;
    }

    private static Set<String> words(final ConfigNode node) {
        final Set<String> words = new HashSet<>();
        if (node != null) {
            for (final ConfigNode item : node.items()) {
                item.nonEmptyText().map(String::strip).ifPresent(words::add);
            }
        }
        return words;
    }

    private static Optional<PeregrineConfig.Redaction> redaction(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("builtin_patterns", "patterns"));
        final boolean builtIns = Optional.ofNullable(entries.get("builtin_patterns")).flatMap(ConfigNode::bool)
                .orElse(true);
        final List<RedactionPattern> patterns = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        if (entries.containsKey("patterns")) {
            for (final ConfigNode item : entries.get("patterns").items()) {
                final Map<String, ConfigNode> pattern = item.entries(Set.of("name", "regex", "keep_prefix", "hints"));
                if (!pattern.containsKey("name") || !pattern.containsKey("regex")) {
                    item.problem("a redaction pattern needs a name and a regex");
                    continue;
                }
                final Optional<String> name = pattern.get("name").nonEmptyText();
                final Optional<String> regex = pattern.get("regex").nonEmptyText();
                final int keep = Optional.ofNullable(pattern.get("keep_prefix"))
                        .flatMap(prefix -> prefix.integer(0, 64)).orElse(0);
                final List<String> hints = List.copyOf(words(pattern.get("hints")));
                if (name.isEmpty() || regex.isEmpty()) {
                    continue;
                }
                if (!names.add(name.get())) {
                    pattern.get("name").problem("a second pattern named '" + name.get() + "'; names must be unique");
                    continue;
                }
                try {
                    patterns.add(RedactionPattern.of(name.get(), regex.get(), keep, hints));
                } catch (final IllegalArgumentException e) {
                    pattern.get("regex").problem("is not a usable regex: " + e.getMessage());
                }
            }
        }
        if (!builtIns && patterns.isEmpty() && !node.isNull()) {
            node.problem("turns the built-in patterns off and gives none of its own: secrets would reach every sink");
        }
        return Optional.of(new PeregrineConfig.Redaction(builtIns, patterns));
    }

    /** An http:// or https:// URL with a host. */
    private static Optional<URI> httpUrl(final ConfigNode node) {
        return node.nonEmptyText().flatMap(text -> {
            try {
                final URI url = new URI(text);
                final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                    node.problem("must be an http:// or https:// URL with a host, not '" + text + "'");
                    return Optional.empty();
                }
                return Optional.of(url);
            } catch (final URISyntaxException e) {
                node.problem("is not a URL: " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    private static Optional<PeregrineConfig.Webhook> webhook(final ConfigNode node) {
        final Map<String, ConfigNode> entries = node.entries(Set.of("url", "format"));
        final ConfigNode urlNode = entries.get("url");
        if (urlNode == null) {
            node.problem("a webhook needs a url");
            return Optional.empty();
        }
        final boolean slack = Optional.ofNullable(entries.get("format"))
                .flatMap(format -> format.choice(Set.of("generic", "slack")))
                .map("slack"::equals).orElse(false);
        return httpUrl(urlNode).map(url -> new PeregrineConfig.Webhook(url, slack));
    }

    private static Optional<URI> syslog(final ConfigNode node) {
        return node.nonEmptyText().flatMap(text -> {
            try {
                final URI uri = new URI(text);
                final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("udp") || scheme.equals("tcp")) && uri.getHost() != null && uri.getPort() > 0) {
                    return Optional.of(uri);
                }
            } catch (final URISyntaxException e) {
                // reported below with the expected shape
            }
            node.problem("must look like udp://HOST:PORT or tcp://HOST:PORT, not '" + text + "'");
            return Optional.empty();
        });
    }
}
