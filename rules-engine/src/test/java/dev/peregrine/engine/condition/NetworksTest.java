package dev.peregrine.engine.condition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Address literals as network comparisons read them from every connect event. The parser scans
 * by hand (it used to compile a regular expression per octet per event); these pin what it accepts.
 */
class NetworksTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.0.3.7", "255.255.255.255", "127.0.0.1", "01.2.3.4"})
    void dottedQuadsAreIpv4(final String text) {
        assertThat(Networks.address(text)).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.0.0.1", "1.2.3.1000",
            "a.b.c.d", "1.2.3.4 ", "-1.2.3.4", "kubernetes.default.svc"})
    void anythingElseIsNoIpv4Address(final String text) {
        assertThat(Networks.address(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "fd00::", "fe80::1:2", "[::1]", "2001:db8:0:0:0:0:0:1", "FD00::AB"})
    void ipv6LiteralsParse(final String text) {
        assertThat(Networks.address(text)).hasSize(16);
    }

    @ParameterizedTest
    @ValueSource(strings = {":::", "g::1", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::1 "})
    void malformedIpv6IsRejected(final String text) {
        assertThat(Networks.address(text)).isNull();
    }

    @org.junit.jupiter.api.Test
    void theBytesAreTheAddress() {
        assertThat(Networks.address("192.168.1.254")).containsExactly((byte) 192, (byte) 168, (byte) 1, (byte) 254);
        assertThat(Networks.block("172.16.0.0/12").contains(Networks.address("172.31.255.1"))).isTrue();
        assertThat(Networks.block("172.16.0.0/12").contains(Networks.address("172.32.0.1"))).isFalse();
    }
}
