package dev.peregrine.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A flood of clients against a small queue: refused with 429, never lost, never doubled. */
class IngestBackpressureTest {

    private static final String TOKEN = "flood-token-0123456789abcdef";
    private static final int CAPACITY = 40;
    private static final int EVENTS_PER_REQUEST = 10;
    private static final int CLIENTS = 6;

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<String> acceptedIds = new CopyOnWriteArrayList<>();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

    @Test
    void aFloodIsHeldBackWith429AndEveryEventOfEveryAcceptedRequestComesOutExactlyOnce() throws Exception {
        final IngestServer server = new IngestServer(
                List.of(new TokenBinding("flood", TOKEN, new IdentityPattern("load-agent", null, null))),
                new IngestLimits(1 << 20, 4096, CAPACITY, 1e9, 1e9, 10), violation -> {
                });
        final URI events = URI.create("http://127.0.0.1:" + server.listen(new InetSocketAddress("127.0.0.1", 0))
                .getPort() + "/v1/events");
        final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        final IngestServerTest.Reader reader = new IngestServerTest.Reader();
        try {
            // Nobody reads yet: the queue fills after four requests and everything else is refused.
            flood(clients, events, "before", 10);
            assertThat(acceptedIds).hasSize(CAPACITY);
            assertThat(statuses.get(429).get()).isEqualTo(CLIENTS * 10 - CAPACITY / EVENTS_PER_REQUEST);

            // Reading and flooding at once: whatever gets a 2xx must come out.
            reader.start(server);
            flood(clients, events, "during", 20);
        } finally {
            clients.shutdown();
            clients.awaitTermination(30, TimeUnit.SECONDS);
            server.close();
            reader.join();
        }

        final List<String> readIds = new ArrayList<>();
        for (final Event event : reader.events) {
            readIds.add((String) event.extra("seq"));
            assertThat(event.extra("seq")).isNotNull();
        }
        assertThat(reader.rejections).isEmpty();
        assertThat(readIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(acceptedIds);
        assertThat(server.stats().eventsAccepted()).isEqualTo(acceptedIds.size());
        assertThat(server.queued()).isZero();
    }

    /** Each client sends {@code requests} requests one after another; accepted ids are recorded. */
    private void flood(final ExecutorService clients, final URI events, final String phase, final int requests)
            throws Exception {
        final List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            final int clientNumber = c;
            running.add(clients.submit(() -> {
                for (int r = 0; r < requests; r++) {
                    final List<String> ids = new ArrayList<>();
                    final StringBuilder body = new StringBuilder();
                    for (int e = 0; e < EVENTS_PER_REQUEST; e++) {
                        final String id = phase + "-c" + clientNumber + "-r" + r + "-e" + e;
                        ids.add(id);
                        body.append("{\"evt.time\":").append(1_763_800_000_000_000_000L + e)
                                .append(",\"evt.type\":\"openat\",\"seq\":\"").append(id).append("\"}\n");
                    }
                    final HttpResponse<String> response = client.send(HttpRequest.newBuilder(events)
                            .header("Authorization", "Bearer " + TOKEN)
                            .POST(BodyPublishers.ofString(body.toString())).build(), BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), key -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() / 100 == 2) {
                        acceptedIds.addAll(ids);
                    } else {
                        assertThat(response.statusCode()).isEqualTo(429);
                        assertThat(response.body()).contains("queue_full");
                    }
                }
                return null;
            }));
        }
        for (final Future<?> future : running) {
            future.get(60, TimeUnit.SECONDS);
        }
    }
}
