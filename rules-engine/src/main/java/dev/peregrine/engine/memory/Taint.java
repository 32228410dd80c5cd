package dev.peregrine.engine.memory;

import dev.peregrine.engine.state.StateCodec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A memory entry flagged when it was written: the lineage a read alert reports.
 *
 * @param sha256        the flagged content's hash; a read of other content is not a read of the poison
 * @param writerAgent   who wrote it
 * @param writerSession in which session
 * @param writtenAt     event time of the write
 * @param findings      the findings that flagged it, as {@link Finding#describe()} gives them
 * @param writeAlertId  the id of the write's alert
 * @param readers       {@code agent/session} of every reader already alerted on (bounded)
 */
record Taint(String sha256, String writerAgent, String writerSession, long writtenAt, String findings,
             String writeAlertId, Set<String> readers) {

    /** Readers remembered per entry; past this, further readers still alert but are not remembered. */
    static final int MAX_READERS = 256;

    Taint {
        readers = Set.copyOf(readers);
    }

    /** A copy that remembers {@code reader}. */
    Taint withReader(final String reader) {
        if (readers.size() >= MAX_READERS) {
            return this;
        }
        final Set<String> more = new LinkedHashSet<>(readers);
        more.add(reader);
        return new Taint(sha256, writerAgent, writerSession, writtenAt, findings, writeAlertId, more);
    }

    /** Each component URL-encoded, space-separated; readers comma-separated. */
    static final StateCodec<Taint> CODEC = new StateCodec<>() {
        @Override
        public String encode(final Taint t) {
            final List<String> readers = new ArrayList<>();
            t.readers().stream().sorted().forEach(r -> readers.add(enc(r)));
            return String.join(" ", enc(t.sha256()), enc(t.writerAgent()), enc(t.writerSession()),
                    Long.toString(t.writtenAt()), enc(t.findings()), enc(t.writeAlertId()),
                    readers.isEmpty() ? "-" : String.join(",", readers));
        }

        @Override
        public Taint decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 7) {
                throw new IllegalArgumentException("expected 7 values, got " + parts.length);
            }
            final Set<String> readers = new LinkedHashSet<>();
            if (!"-".equals(parts[6])) {
                for (final String r : parts[6].split(",")) {
                    readers.add(dec(r));
                }
            }
            return new Taint(dec(parts[0]), dec(parts[1]), dec(parts[2]), Long.parseLong(parts[3]), dec(parts[4]),
                    dec(parts[5]), readers);
        }
    };

    private static String enc(final String value) {
        return value == null ? "~" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String dec(final String value) {
        return "~".equals(value) ? null : URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
