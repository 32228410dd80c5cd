package dev.peregrine.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutSinkTest {

    @Test
    void aFailingSinkDoesNotStopDeliveryToTheOthersButIsReported() {
        final List<Alert> delivered = new ArrayList<>();
        final AlertSink down = alert -> {
            throw new IOException("SIEM down");
        };
        final FanOutSink fanOut = new FanOutSink(List.of(down, delivered::add));

        assertThatThrownBy(() -> fanOut.deliver(AlertJsonTest.sampleAlert()))
                .isInstanceOf(IOException.class).hasMessage("SIEM down");
        assertThat(delivered).containsExactly(AlertJsonTest.sampleAlert());
    }
}
