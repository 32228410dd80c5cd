package dev.peregrine.engine.memory;

import dev.peregrine.engine.state.StateCodec;

/**
 * An agent's usual memory-write size: an exponentially weighted mean over its writes that were
 * not oversize (an outlier does not raise the norm it is judged against).
 *
 * @param mean    bytes per write
 * @param writes  writes counted
 */
record SizeNorm(double mean, long writes) {

    /** The weight of the newest write once the norm has settled: about the last 50 writes. */
    private static final double ALPHA = 0.04;

    SizeNorm add(final long size) {
        final long n = writes + 1;
        // A plain mean while few writes are in, so the first write does not dominate.
        final double alpha = Math.max(ALPHA, 1.0 / n);
        return new SizeNorm(writes == 0 ? size : mean + alpha * (size - mean), n);
    }

    static final StateCodec<SizeNorm> CODEC = new StateCodec<>() {
        @Override
        public String encode(final SizeNorm n) {
            return n.mean() + " " + n.writes();
        }

        @Override
        public SizeNorm decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected 2 values, got " + parts.length);
            }
            return new SizeNorm(Double.parseDouble(parts[0]), Long.parseLong(parts[1]));
        }
    };
}
