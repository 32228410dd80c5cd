package dev.peregrine.collector.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.auditd.AuditdParser;
import dev.peregrine.collector.falco.FalcoJsonParser;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.source.LineParser;
import dev.peregrine.collector.tetragon.TetragonJsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The source-to-fields table agrees with what the parsers really set on their own test fixtures. */
class SourceFieldsTest {

    private static final String FIXTURES = "/dev/peregrine/collector/";

    /** The registered fields set on any event parsed from {@code fixture}. */
    private static Set<String> fieldsSetBy(final LineParser parser, final String fixture) throws IOException {
        final List<Event> events = new ArrayList<>();
        try (InputStream in = SourceFieldsTest.class.getResourceAsStream(FIXTURES + fixture);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                try {
                    parser.parse(bytes, 0, bytes.length, events::add);
                } catch (final LineRejectedException e) {
                    // Fixtures hold bad lines on purpose; this test is about the good ones.
                }
            }
        }
        parser.finish(events::add);
        assertThat(events).as("events parsed from %s", fixture).isNotEmpty();
        final Set<String> set = new TreeSet<>();
        for (final Event event : events) {
            for (final Field field : FieldRegistry.standard().fields()) {
                if (event.has(field)) {
                    set.add(field.name());
                }
            }
        }
        return set;
    }

    @Test
    void auditdFieldsAreAllDeclared() throws IOException {
        final Set<String> set = new TreeSet<>(fieldsSetBy(new AuditdParser(), "auditd/testdata_normal.log"));
        set.addAll(fieldsSetBy(new AuditdParser(), "auditd/auparse_testdata_audit-rhel7.log"));

        assertThat(SourceFields.fieldsOf(SourceFields.AUDITD)).containsAll(set);
        assertThat(set).contains("evt.type", "proc.exe");
    }

    @Test
    void tetragonFieldsAreAllDeclared() throws IOException {
        final Set<String> set = fieldsSetBy(new TetragonJsonParser(), "tetragon/testdata_events.json");

        assertThat(SourceFields.fieldsOf(SourceFields.TETRAGON)).containsAll(set);
        assertThat(set).contains("container.id", "proc.exe");
    }

    @Test
    void agentFieldsAreAllDeclared() throws IOException {
        final Set<String> set = fieldsSetBy(lineParser(new NdjsonParser(NdjsonParser.Format.AGENT)),
                "ndjson/agent-events.ndjson");

        assertThat(SourceFields.fieldsOf(SourceFields.AGENT)).containsAll(set);
    }

    @Test
    void falcoOutputFieldsAreAllDeclared() throws IOException {
        final Set<String> set = fieldsSetBy(new FalcoJsonParser(), "falco/single_rule_with_cat_write.json");

        assertThat(SourceFields.fieldsOf(SourceFields.FALCO)).containsAll(set);
    }

    @Test
    void sourcesThatCarryPidsProvideAncestorFieldsButAgentEventsDoNot() {
        assertThat(SourceFields.provides(SourceFields.AUDITD, "proc.aname[2]")).isTrue();
        assertThat(SourceFields.provides(SourceFields.TETRAGON, "proc.pname")).isTrue();
        assertThat(SourceFields.provides(SourceFields.AGENT, "proc.aname")).isFalse();
        assertThat(SourceFields.provides(SourceFields.AGENT, "tool.outcome")).isTrue();
    }

    @Test
    void noOsSourceFillsFieldsOnlyNativeInputCarries() {
        for (final String source : List.of(SourceFields.AUDITD, SourceFields.TETRAGON, SourceFields.PROCFS)) {
            assertThat(SourceFields.provides(source, "proc.is_exe_from_memfd")).as(source).isFalse();
            assertThat(SourceFields.provides(source, "thread.cap_effective")).as(source).isFalse();
        }
        assertThat(SourceFields.provides(SourceFields.NATIVE, "thread.cap_effective")).isTrue();
        assertThat(SourceFields.provides(SourceFields.FALCO, "tool.name")).isFalse();
    }

    @Test
    void everyDeclaredNameIsARegisteredFieldOrOneTheEngineComputes() {
        final Set<String> computed = Set.of("proc.aname", "proc.apid", "proc.aexe", "proc.aexepath", "fd.ip",
                "fd.net", "fd.snet", "fd.cnet");
        for (final String source : SourceFields.sources()) {
            for (final String name : SourceFields.fieldsOf(source)) {
                assertThat(computed.contains(name) || FieldRegistry.standard().find(name).isPresent())
                        .as("%s declares %s", source, name).isTrue();
            }
        }
    }

    @Test
    void anUnknownSourceProvidesNothing() {
        assertThat(SourceFields.isKnown("k8s_audit")).isFalse();
        assertThat(SourceFields.provides("k8s_audit", "evt.type")).isFalse();
    }

    private static LineParser lineParser(final NdjsonParser parser) {
        return (buf, off, len, events) -> {
            if (!NdjsonParser.isBlank(buf, off, len)) {
                events.accept(parser.parse(buf, off, len));
            }
        };
    }
}
