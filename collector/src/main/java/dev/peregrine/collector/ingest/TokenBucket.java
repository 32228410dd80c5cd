package dev.peregrine.collector.ingest;

import java.util.function.LongSupplier;

/**
 * A token bucket in event units that may go into debt: a request is admitted while the bucket
 * holds at least one token, then pays for every line it carried, so one large batch is never
 * refused forever, and the next requests wait until the debt is paid back.
 */
final class TokenBucket {

    private final double perNano;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastNanos;

    TokenBucket(final double perSecond, final double capacity, final LongSupplier nanoTime) {
        this.perNano = perSecond / 1e9;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.lastNanos = nanoTime.getAsLong();
    }

    /** 0 when a request may go ahead now, else the nanoseconds until it may. */
    synchronized long admit() {
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
    }

    /** Pays for {@code events} lines of an admitted request. */
    synchronized void pay(final long events) {
        refill();
        tokens -= events;
    }

    private void refill() {
        final long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastNanos) * perNano);
        lastNanos = now;
    }
}
