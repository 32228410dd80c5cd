package dev.peregrine.alerting.routing;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.FanOutSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Delivers each alert to the sink of every route that matches it. A sink behind several
 * matching routes gets the alert once. An alert no route takes goes to the fallback sink when
 * there is one, and is counted as unrouted either way, so nothing disappears unnoticed.
 *
 * <p>One sink failing does not starve the others; the first failure is thrown after all were tried.
 */
public final class RoutingSink implements AlertSink {

    /** One route and where it leads. */
    private record Target(Route route, AlertSink sink) {
    }

    private final List<Target> targets;
    private final AlertSink fallback;
    private final FanOutSink everySink;
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
    }

    /** Starts a routing table; routes are tried in the order they are added. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final Set<AlertSink> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<AlertSink> inOrder = new ArrayList<>();
        for (final Target target : targets) {
            if (target.route().matches(alert) && chosen.add(target.sink())) {
                inOrder.add(target.sink());
            }
        }
        if (inOrder.isEmpty()) {
            unrouted++;
            if (fallback != null) {
                inOrder.add(fallback);
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

    /** Collects routes, then builds the {@link RoutingSink}. */
    public static final class Builder {
        private final List<Target> targets = new ArrayList<>();
        private AlertSink fallback;

        private Builder() {
        }

        /** Sends alerts matching {@code route} to {@code sink}. */
        public Builder route(final Route route, final AlertSink sink) {
            targets.add(new Target(Objects.requireNonNull(route, "route"), Objects.requireNonNull(sink, "sink")));
            return this;
        }

        /** Sends alerts that no route matches to {@code sink}. */
        public Builder otherwise(final AlertSink sink) {
            this.fallback = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The routing sink; it owns the sinks and closes them. */
        public RoutingSink build() {
            return new RoutingSink(targets, fallback);
        }
    }
}
