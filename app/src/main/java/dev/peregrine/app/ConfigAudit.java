package dev.peregrine.app;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;

import dev.peregrine.app.config.ConfigException;
import dev.peregrine.app.config.ConfigReader;
import dev.peregrine.collector.event.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.function.Consumer;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration file as an audited part of the platform: the file {@code run} started with
 * is a {@code platform_access} event ({@code platform.op=config}, {@code platform.outcome=loaded},
 * its path and SHA-256, and the OS user), and each later change of it on disk is another
 * ({@code changed}, with the old and new SHA-256 and the top-level keys that differ) that the
 * shipped {@code config_changed} rule alerts on. Whoever can edit the configuration can turn
 * off sinks, inputs or tokens at the next restart; the change leaves a trail when it is made,
 * not when it takes effect.
 *
 * <p>A changed file is not applied: a restart applies it (rule files reload on their own), and
 * the log says so. Only key names reach the event, never values, which may hold secrets.
 */
final class ConfigAudit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigAudit.class);
    /** What the SHA-256 of a file that is gone reads as. */
    static final String ABSENT = "absent";

    private final Path file;
    private final Consumer<Event> platform;
    private final Clock clock;
    private final String user;
    private final ConfigReader reader;
    private String sha256;
    private Map<?, ?> topLevel;
    private RuleWatcher watcher;

    private ConfigAudit(final Path file, final Consumer<Event> platform, final Clock clock, final String user,
                        final ConfigReader reader) {
        this.file = file.toAbsolutePath().normalize();
        this.platform = Objects.requireNonNull(platform, "platform");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.user = user;
        this.reader = reader;
    }

    /**
     * Records {@code file} as loaded by {@code user} in {@code platform} (in {@code run}, the
     * {@code PlatformAccessEvents} source) and, when {@code watch}, watches it (with
     * {@link RuleWatcher}: quiet period and content hash) and records each change.
     */
    static ConfigAudit start(final Path file, final Consumer<Event> platform, final Clock clock,
                             final String user, final ConfigReader reader, final boolean watch) {
        final ConfigAudit audit = new ConfigAudit(file, platform, clock, user, reader);
        final byte[] content = read(audit.file);
        audit.sha256 = sha256(content);
        audit.topLevel = topLevel(content);
        audit.platform.accept(audit.event("loaded").extra("config.sha256", audit.sha256).build());
        if (watch) {
            try {
                audit.watcher = RuleWatcher.start(List.of(audit.file), RuleWatcher.DEFAULT_QUIET, audit::check);
            } catch (final IOException | RuntimeException e) {
                LOG.warn("cannot watch the configuration file {} ({}); its changes are not audited until a restart",
                        audit.file, e.toString());
            }
        }
        return audit;
    }

    /** Compares the file with what was last seen and records a change; what the watcher calls. */
    synchronized void check() {
        final byte[] content = read(file);
        final String now = sha256(content);
        if (now.equals(sha256)) {
            return;
        }
        final Map<?, ?> keys = topLevel(content);
        final TreeSet<String> changed = new TreeSet<>();
        for (final Object key : union(topLevel, keys)) {
            if (!Objects.equals(topLevel.get(key), keys.get(key))) {
                changed.add(String.valueOf(key));
            }
        }
        final int problems = problems();
        final Event.Builder event = event("changed")
                .extra("config.sha256", now)
                .extra("config.previous_sha256", sha256)
                .extra("config.keys_changed", String.join(",", changed))
                .extra("config.problems", (long) problems);
        LOG.warn("the configuration file {} changed on disk (sha256 {} -> {}, keys: {}{}); it is not applied: a "
                + "restart applies it (rule files reload on their own)", file, abbreviated(sha256), abbreviated(now),
                changed.isEmpty() ? "none, only formatting or comments" : String.join(", ", changed),
                problems == 0 ? "" : "; as it is now it would not start: " + problems + " problem(s), see "
                        + "peregrine config check");
        sha256 = now;
        topLevel = keys;
        platform.accept(event.build());
    }

    @Override
    public void close() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
    }

    private Event.Builder event(final String outcome) {
        final Instant now = clock.instant();
        final Event.Builder event = Event.builder()
                .time(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                .set(EVT_SOURCE, "agent")
                .set(EVT_TYPE, "platform_access")
                .set(PLATFORM_OP, "config")
                .set(PLATFORM_OUTCOME, outcome)
                .extra("config.path", file.toString());
        if (user != null && !user.isEmpty()) {
            event.set(USER_NAME, user);
        }
        return event;
    }

    /** Problems the file has as it is now (0 when a restart would start with it). */
    private int problems() {
        try {
            reader.read(file);
            return 0;
        } catch (final ConfigException e) {
            return e.problems().size();
        }
    }

    private static Set<Object> union(final Map<?, ?> a, final Map<?, ?> b) {
        final Set<Object> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    /** The file's top-level mapping as parsed, values uninterpreted (no ${VAR} expanded); empty when it is none. */
    private static Map<?, ?> topLevel(final byte[] content) {
        if (content == null) {
            return Map.of();
        }
        try {
            final Object root = new Yaml(new LoaderOptions()).load(new String(content,
                    StandardCharsets.UTF_8));
            return root instanceof Map<?, ?> map ? map : Map.of();
        } catch (final RuntimeException e) {
            // not YAML any more: every key differs from an unparseable file's point of view
            return Map.of("(not valid YAML)", new String(content, StandardCharsets.UTF_8));
        }
    }

    /** The file's bytes, or null when it is gone or unreadable. */
    private static byte[] read(final Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException e) {
            LOG.warn("cannot read the configuration file {}: {}", file, e.toString());
            return null;
        }
    }

    static String sha256(final byte[] content) {
        if (content == null) {
            return ABSENT;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String abbreviated(final String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }
}
