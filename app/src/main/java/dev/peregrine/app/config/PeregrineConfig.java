package dev.peregrine.app.config;

import dev.peregrine.alerting.redaction.RedactionPattern;
import dev.peregrine.alerting.routing.Route;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code peregrine.yaml} asks for. Every part is optional: what a file leaves out keeps the
 * command line's value (and the command line's default when that was not given either).
 *
 * @param http       where the HTTP endpoint (metrics, health) listens
 * @param inputs     what is read and how
 * @param ingest     the HTTP ingest API and its tokens
 * @param rules      rule files or directories; empty keeps the shipped rules
 * @param alerts     where alerts go and how repeats are folded
 * @param stateDir   where learned state is kept between runs
 * @param detections the {@code detections:} section, kept as written for the engine to check
 * @param archive    where every normalized event is archived, if anywhere
 * @param rulesWatch whether {@code run} reloads the rules when a rule file changes
 */
public record PeregrineConfig(Http http, Inputs inputs, Ingest ingest, List<Path> rules, Alerts alerts,
                              Optional<Path> stateDir, Optional<Section> detections, Optional<Archive> archive,
                              Optional<Boolean> rulesWatch) {

    public PeregrineConfig {
        rules = List.copyOf(rules);
    }

    /**
     * The HTTP endpoint and how it protects itself.
     *
     * @param tls          the certificate and key it serves HTTPS with; plain HTTP without
     * @param metricsToken a bearer token that may read {@code /metrics} (besides operator tokens)
     * @param metricsOpen  whether {@code /metrics} is served without any token
     */
    public record Http(Optional<String> host, Optional<Integer> port, Optional<TlsIdentity> tls,
                       Optional<String> metricsToken, Optional<Boolean> metricsOpen) {

        /** No http section: every setting keeps its command-line value. */
        public static Http unset() {
            return new Http(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        @Override
        public String toString() {
            return "Http[host=" + host + ", port=" + port + ", tls=" + tls + ", metricsToken="
                    + metricsToken.map(secret -> "(set)") + ", metricsOpen=" + metricsOpen + "]";
        }
    }

    /** Inputs: files to follow, stdin, this host's processes, and how lines are read. */
    public record Inputs(List<Path> follow, Optional<Boolean> stdin, Optional<Boolean> procfs, Optional<String> format,
                         Optional<Integer> maxLineBytes, Optional<Path> deadLetter) {
        public Inputs {
            follow = List.copyOf(follow);
        }
    }

    /** The HTTP ingest API: whether it is on, and who may send what. */
    public record Ingest(Optional<Boolean> enabled, List<Token> tokens) {
        public Ingest {
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * One ingest client: its bearer token and the identities it may send events for (glob
     * patterns; empty means any). Events that carry no identity get the pattern's value when it
     * has no wildcard.
     */
    public record Token(String name, String secret, Optional<String> agent, Optional<String> session,
                        Optional<String> sandbox) {
        @Override
        public String toString() {
            return "Token[" + name + "]";
        }
    }

    /**
     * Alert destinations, deduplication, routing and redaction.
     *
     * @param routes        which alerts each named sink takes; a sink without a route takes every alert
     * @param redaction     secret patterns masked in every alert, beyond (or instead of) the built-in ones
     */
    public record Alerts(Optional<Boolean> stdout, Optional<Path> file, Optional<Duration> dedupWindow,
                         List<Webhook> webhooks, List<URI> syslog, Optional<Elasticsearch> elasticsearch,
                         Optional<Kafka> kafka, Optional<Path> spoolDir, Map<String, Route> routes,
                         Optional<Redaction> redaction) {
        public Alerts {
            webhooks = List.copyOf(webhooks);
            syslog = List.copyOf(syslog);
            routes = Map.copyOf(routes);
        }

        /** No alerts section: every setting keeps its command-line value. */
        public static Alerts unset() {
            return new Alerts(Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Optional.empty());
        }
    }

    /**
     * The Elasticsearch sink: cluster URL, index, and an API key (write {@code ${ENV_VAR}} for it);
     * {@code kibanaUrl}, when given, is where the console links an alert to Kibana's Discover.
     */
    public record Elasticsearch(URI url, Optional<String> index, Optional<String> apiKey, Optional<URI> kibanaUrl) {
        @Override
        public String toString() {
            return "Elasticsearch[" + url + "]";
        }
    }

    /** The Kafka alert sink: bootstrap servers and topic. */
    public record Kafka(String bootstrap, Optional<String> topic) {
    }

    /**
     * Secret patterns for redaction.
     *
     * @param builtIns whether the built-in patterns stay on (default true)
     * @param patterns the operator's own patterns
     */
    public record Redaction(boolean builtIns, List<RedactionPattern> patterns) {
        public Redaction {
            patterns = List.copyOf(patterns);
        }
    }

    /** The event archive: hourly gzip NDJSON files of every normalized event. */
    public record Archive(Path directory, Optional<Long> maxFileBytes) {
    }

    /** One webhook: its URL and whether Slack's incoming-webhook format is used. */
    public record Webhook(URI url, boolean slack) {
    }

    /** A section another component validates: its YAML text and where it starts, for error messages. */
    public record Section(String file, String keyPath, org.yaml.snakeyaml.nodes.Node yaml) {
    }
}
