package dev.peregrine.alerting.routing;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.FanOutSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each alert to the sink of every route that matches it. A sink behind several
 * matching routes gets the alert once. An alert no route takes goes to the fallback sink when
 * there is one, and is counted as unrouted either way, so nothing disappears unnoticed; without
 * a fallback the first such alert of each rule is also logged.
 *
 * <p>Built from a config section, one entry per route, each naming the sinks it leads to:
 *
 * <pre>{@code
 * RoutingSink.builder()
 *     .route(Route.atLeast("oncall", Priority.CRITICAL).withAnyOfTags(Set.of("T1059")), List.of(slack))
 *     .route(Route.atLeast("siem", Priority.NOTICE).denying(Set.of("volume_spike")), List.of(elasticsearch, syslog))
 *     .otherwise(file)      // optional: where alerts no route takes go
 *     .build();
 * }</pre>
 *
 * <p>Put it behind the {@link dev.peregrine.alerting.dedup.DeduplicatingSink}: a window's first
 * alert and its summaries carry the same rule, priority and tags, so they take the same routes and
 * every destination sees the count grow to its final value.
 *
 * <p>One sink failing does not starve the others; the first failure is thrown after all were tried.
 */
public final class RoutingSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingSink.class);

    /** One route and where it leads. */
    private record Target(Route route, AlertSink sink) {
    }

    private final List<Target> targets;
    private final AlertSink fallback;
    private final FanOutSink everySink;
    // filled once by the constructor, then only its counters change: safe to read from a metrics thread
    private final Map<String, AtomicLong> matchedByRoute = new LinkedHashMap<>();
    // rule ids already logged as unrouted: bounded by the loaded rule set
    private final Set<String> unroutedLogged = new HashSet<>();
    private long routed;
    private long unrouted;

    private RoutingSink(final List<Target> targets, final AlertSink fallback) {
        this.targets = List.copyOf(targets);
        this.fallback = fallback;
        final Set<AlertSink> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<AlertSink> sinks = new ArrayList<>();
        for (final Target target : targets) {
            if (seen.add(target.sink())) {
                sinks.add(target.sink());
            }
        }
        if (fallback != null && seen.add(fallback)) {
            sinks.add(fallback);
        }
        this.everySink = new FanOutSink(sinks);
        for (final Target target : targets) {
            matchedByRoute.putIfAbsent(target.route().name(), new AtomicLong());
        }
    }

    /** Starts a routing table; routes are tried in the order they are added. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final Set<AlertSink> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<AlertSink> inOrder = new ArrayList<>();
        final Set<String> matchedRoutes = new HashSet<>();
        for (final Target target : targets) {
            if (!target.route().matches(alert)) {
                continue;
            }
            if (matchedRoutes.add(target.route().name())) {
                matchedByRoute.get(target.route().name()).incrementAndGet();
            }
            if (chosen.add(target.sink())) {
                inOrder.add(target.sink());
            }
        }
        if (inOrder.isEmpty()) {
            unrouted++;
            if (fallback != null) {
                inOrder.add(fallback);
            } else if (unroutedLogged.add(alert.ruleId())) {
                LOG.warn("alert {} of rule {} ({}) matched no route and there is no fallback sink: not delivered, "
                        + "counted as unrouted (further alerts of this rule are counted, not logged)", alert.id(),
                        alert.ruleId(), alert.priority().displayName());
            }
        } else {
            routed++;
        }
        new FanOutSink(inOrder).deliver(alert);
    }

    @Override
    public void flush() throws IOException {
        everySink.flush();
    }

    @Override
    public void close() throws IOException {
        everySink.close();
    }

    /** Alerts at least one route took. */
    public long routed() {
        return routed;
    }

    /** Alerts no route took (delivered to the fallback, if any). */
    public long unrouted() {
        return unrouted;
    }

    /** The routes, in the order they are tried. */
    public List<Route> routes() {
        final List<Route> routes = new ArrayList<>();
        for (final Target target : targets) {
            if (!routes.contains(target.route())) {
                routes.add(target.route());
            }
        }
        return List.copyOf(routes);
    }

    /** Alerts each route took, by route name in the order the routes were added. */
    public Map<String, Long> matchedByRoute() {
        final Map<String, Long> counts = new LinkedHashMap<>();
        matchedByRoute.forEach((name, count) -> counts.put(name, count.get()));
        return Collections.unmodifiableMap(counts);
    }

    /** Collects routes, then builds the {@link RoutingSink}. */
    public static final class Builder {
        private final List<Target> targets = new ArrayList<>();
        private final Map<String, Route> byName = new HashMap<>();
        private AlertSink fallback;

        private Builder() {
        }

        /**
         * Sends alerts matching {@code route} to {@code sink}. The same route may lead to several
         * sinks; two different routes may not share a name.
         *
         * @throws IllegalArgumentException when another route already has this route's name
         */
        public Builder route(final Route route, final AlertSink sink) {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(sink, "sink");
            final Route named = byName.putIfAbsent(route.name(), route);
            if (named != null && !named.equals(route)) {
                throw new IllegalArgumentException("two routes are named '" + route.name() + "'");
            }
            targets.add(new Target(route, sink));
            return this;
        }

        /** Sends alerts matching {@code route} to each of {@code sinks} (a config entry's sink list). */
        public Builder route(final Route route, final List<? extends AlertSink> sinks) {
            if (sinks.isEmpty()) {
                throw new IllegalArgumentException("route '" + route.name() + "' leads to no sink");
            }
            for (final AlertSink sink : sinks) {
                route(route, sink);
            }
            return this;
        }

        /** Sends alerts that no route matches to {@code sink}. */
        public Builder otherwise(final AlertSink sink) {
            this.fallback = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * The routing sink; it owns the sinks and closes them.
         *
         * @throws IllegalStateException when no route was added: every alert would be unrouted
         */
        public RoutingSink build() {
            if (targets.isEmpty()) {
                throw new IllegalStateException("a routing table needs at least one route");
            }
            return new RoutingSink(targets, fallback);
        }
    }
}
