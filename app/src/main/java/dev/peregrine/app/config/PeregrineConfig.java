package dev.peregrine.app.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 */
public record PeregrineConfig(Http http, Inputs inputs, Ingest ingest, List<Path> rules, Alerts alerts,
                              Optional<Path> stateDir, Optional<Section> detections) {

    public PeregrineConfig {
        rules = List.copyOf(rules);
    }

    /** The HTTP endpoint. */
    public record Http(Optional<String> host, Optional<Integer> port) {
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

    /** Alert destinations and deduplication. */
    public record Alerts(Optional<Boolean> stdout, Optional<Path> file, Optional<Duration> dedupWindow,
                         List<Webhook> webhooks, List<URI> syslog) {
        public Alerts {
            webhooks = List.copyOf(webhooks);
            syslog = List.copyOf(syslog);
        }
    }

    /** One webhook: its URL and whether Slack's incoming-webhook format is used. */
    public record Webhook(URI url, boolean slack) {
    }

    /** A section another component validates: its YAML text and where it starts, for error messages. */
    public record Section(String file, String keyPath, org.yaml.snakeyaml.nodes.Node yaml) {
    }
}
