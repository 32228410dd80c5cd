package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_CIP;
import static dev.peregrine.collector.event.StandardFields.FD_SIP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Falco's filter-only fd.ip, fd.net, fd.snet, fd.cnet, as the upstream "outbound" macro uses them. */
class NetworkFieldsTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static final ConditionScope SCOPE = new ConditionScope() {
        @Override
        public Optional<MacroLookup> macro(final String name) {
            return Optional.empty();
        }

        @Override
        public Optional<List<String>> list(final String name) {
            return name.equals("rfc_1918_addresses")
                    ? Optional.of(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")) : Optional.empty();
        }
    };

    private static final String OUTBOUND = "evt.type = connect and fd.ip != \"0.0.0.0\" and fd.net != \"127.0.0.0/8\""
            + " and not fd.snet in (rfc_1918_addresses)";

    private static Event connect(final String client, final String server) {
        final Event.Builder event = Event.builder().time(1L).set(EVT_TYPE, "connect").set(FD_SIP, server);
        return client == null ? event.build() : event.set(FD_CIP, client).build();
    }

    private static boolean matches(final String condition, final Event event) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, SCOPE);
        assertThat(result.errors()).as("errors compiling %s", condition).isEmpty();
        return result.predicate().test(event);
    }

    @Test
    void aConnectToAPublicAddressIsOutboundAndToAPrivateOrLoopbackOneIsNot() {
        assertThat(matches(OUTBOUND, connect(null, "169.254.169.254"))).isTrue();
        assertThat(matches(OUTBOUND, connect("10.0.0.7", "93.184.216.34"))).isTrue();
        assertThat(matches(OUTBOUND, connect(null, "172.20.1.1"))).isFalse();
        assertThat(matches(OUTBOUND, connect(null, "127.0.0.1"))).isFalse();
        assertThat(matches(OUTBOUND, connect(null, "0.0.0.0"))).isFalse();
    }

    @Test
    void fdIpAndFdNetMatchEitherEnd() {
        final Event event = connect("10.0.0.7", "93.184.216.34");
        assertThat(matches("fd.ip = 10.0.0.7", event)).isTrue();
        assertThat(matches("fd.ip = 93.184.216.34", event)).isTrue();
        assertThat(matches("fd.net = \"10.0.0.0/8\"", event)).isTrue();
        assertThat(matches("fd.cnet = \"10.0.0.0/8\" and not fd.snet = \"10.0.0.0/8\"", event)).isTrue();
        assertThat(matches("fd.snet in (\"2001:db8::/32\", \"93.184.0.0/16\")", event)).isTrue();
    }

    @Test
    void ipv6BlocksMatchIpv6Addresses() {
        assertThat(matches("fd.snet = \"fd00::/8\"", connect(null, "fd12:3456::1"))).isTrue();
        assertThat(matches("fd.snet = \"::1\"", connect(null, "::1"))).isTrue();
        assertThat(matches("fd.snet = \"fd00::/8\"", connect(null, "10.0.0.1"))).isFalse();
    }

    @Test
    void withoutAddressesEveryComparisonIsFalse() {
        final Event file = Event.builder().time(1L).set(EVT_TYPE, "openat").build();
        assertThat(matches("fd.net != \"127.0.0.0/8\"", file)).isFalse();
        assertThat(matches("fd.ip = 10.0.0.1", file)).isFalse();
        assertThat(matches("fd.net exists", file)).isFalse();
        assertThat(matches("fd.net exists", connect(null, "10.0.0.1"))).isTrue();
    }

    @Test
    void aValueThatIsNoNetworkAndAnOperatorNetworksLackAreErrors() {
        assertThat(COMPILER.compile("fd.snet = \"10.0.0.0/33\"", SCOPE).errors()).singleElement()
                .isEqualTo(new CompileError(10, "value '10.0.0.0/33' is not a network such as \"10.0.0.0/8\" or an IP address"));
        assertThat(COMPILER.compile("fd.net contains 10", SCOPE).errors()).singleElement()
                .extracting(CompileError::message).asString().startsWith("operator 'contains' cannot compare the network field 'fd.net'");
    }
}
