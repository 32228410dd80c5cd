package dev.peregrine.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.source.SourceListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformAccessEventsTest {

    @Test
    void anIdentityViolationBecomesAPlatformAccessEventAboutTheClaimedIdentity() {
        final PlatformAccessEvents platform = new PlatformAccessEvents();
        platform.onViolation(new IdentityViolation("ci-token", "agent.id", "prod-deployer", "ci-*",
                "127.0.0.1:51234", 3, Instant.parse("2026-11-27T10:00:00.5Z")));
        platform.close();

        final List<Event> events = readAll(platform);

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.timeNanos()).isEqualTo(Instant.parse("2026-11-27T10:00:00.5Z").toEpochMilli() * 1_000_000L);
            assertThat(event.getString(StandardFields.EVT_TYPE)).isEqualTo("platform_access");
            assertThat(event.getString(StandardFields.PLATFORM_OP)).isEqualTo("ingest");
            assertThat(event.getString(StandardFields.PLATFORM_OUTCOME)).isEqualTo("identity_violation");
            assertThat(event.getString(StandardFields.PLATFORM_REMOTE_ADDR)).isEqualTo("127.0.0.1:51234");
            assertThat(event.getString(StandardFields.AGENT_ID)).isEqualTo("prod-deployer");
            assertThat(event.extras()).containsEntry("ingest.token", "ci-token").containsEntry("ingest.allowed", "ci-*");
        });
    }

    @Test
    void violationsAfterCloseAreCountedNotLost() {
        final PlatformAccessEvents platform = new PlatformAccessEvents();
        platform.close();

        platform.onViolation(new IdentityViolation("t", "sandbox.id", "other", "sbx-1", "127.0.0.1:1", 1, Instant.EPOCH));

        assertThat(readAll(platform)).isEmpty();
        assertThat(platform.dropped()).isEqualTo(1);
    }

    private static List<Event> readAll(final PlatformAccessEvents platform) {
        final List<Event> events = new ArrayList<>();
        platform.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                throw new AssertionError("no rejections expected: " + rejection);
            }
        });
        return events;
    }
}
