package dev.peregrine.collector.proctree;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.util.Objects;

/**
 * An {@link EventSource} that passes another source's events through {@link ProcessTrees}:
 * each event learns the tree and leaves with the parent fields and ancestry it lacked.
 * Rejections pass through untouched.
 */
public final class ProcessTreeEnricher implements EventSource {

    private final EventSource delegate;
    private final ProcessTrees trees;

    /**
     * @param delegate the source read
     * @param trees    the trees to learn from and enrich with; may be shared by several sources
     */
    public ProcessTreeEnricher(final EventSource delegate, final ProcessTrees trees) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.trees = Objects.requireNonNull(trees, "trees");
    }

    /** {@code delegate} enriched from trees of its own, with the default bounds. */
    public static ProcessTreeEnricher wrap(final EventSource delegate) {
        return new ProcessTreeEnricher(delegate, ProcessTrees.withDefaults());
    }

    /** The wrapped source. */
    public EventSource delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        delegate.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                listener.onEvent(trees.enrich(event));
            }

            @Override
            public void onRejected(final Rejection rejection) {
                listener.onRejected(rejection);
            }
        });
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
