package dev.peregrine.collector.auditd;

import static dev.peregrine.collector.event.StandardFields.EVT_FAILED;
import static dev.peregrine.collector.event.StandardFields.EVT_RAWRES;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.PROC_TTY;
import static dev.peregrine.collector.event.StandardFields.USER_LOGINUID;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.auditd.AuditdSourceTest.Recorder;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.source.FuzzInputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every sample log of {@code src/test/resources/dev/peregrine/collector/auditd/} (go-libaudit's
 * test data, Apache-2.0, see {@code LICENSE.txt} and {@code SOURCE.txt} there) read to its end:
 * how many events, rejections and skipped events each gives, and fields of events checked by
 * hand against the raw records. {@link AuditdSourceTest} checks other events of the same files.
 */
class AuditdSampleFilesTest {

    private static final String FIXTURES = "/dev/peregrine/collector/auditd/";

    /** The file's lines through a fresh source; YAML files contribute the records they quote. */
    private static Outcome read(final String file) throws IOException {
        final byte[] bytes;
        if (file.endsWith(".yaml")) {
            final ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (final byte[] line : FuzzInputs.yamlRecordLines(FIXTURES + file)) {
                records.writeBytes(line);
                records.write('\n');
            }
            bytes = records.toByteArray();
        } else {
            try (InputStream in = AuditdSampleFilesTest.class.getResourceAsStream(FIXTURES + file)) {
                assertThat(in).as(file).isNotNull();
                bytes = in.readAllBytes();
            }
        }
        final AuditdSource source = AuditdSource.of(file, new ByteArrayInputStream(bytes), new AuditdParser(),
                LineReader.DEFAULT_MAX_LINE_BYTES);
        final Recorder recorder = new Recorder();
        source.read(recorder);
        return new Outcome(recorder, source.skipped());
    }

    private record Outcome(Recorder recorder, long skipped) {
        List<Event> events() {
            return recorder.events;
        }
    }

    // Counted by hand from the files: skipped are the user-space records (USER_*, CRED_*, LOGIN,
    // CRYPTO_*, CONFIG_CHANGE, ADD_GROUP) and records whose SYSCALL is not in the file (a lone EXECVE).
    @ParameterizedTest(name = "{0}: {1} events, {2} rejected, {3} skipped")
    @CsvSource({
        "testdata_normal.log,                                 5, 0,  0",
        "auparse_testdata_test2.log,                          1, 0,  6",
        "auparse_testdata_test3.log,                          8, 0,  2",
        "auparse_testdata_audit-rhel7.log,                    3, 1, 43",
        "aucoalesce_testdata_rhel-7-linux-3.10.0.yaml,        3, 0,  7",
        "aucoalesce_testdata_ubuntu-24.04-linux-6.8.0.yaml,   1, 0,  0",
    })
    void everySampleFileIsReadToItsEnd(final String file, final int events, final int rejected, final long skipped)
            throws IOException {
        final Outcome outcome = read(file);

        assertThat(outcome.events()).as("events").hasSize(events);
        assertThat(outcome.recorder().rejections).as("rejections").hasSize(rejected);
        assertThat(outcome.skipped()).as("skipped events").isEqualTo(skipped);
        assertThat(outcome.events()).allSatisfy(event -> {
            assertThat(event.getString(EVT_TYPE)).isNotBlank();
            assertThat(event.getString(EVT_RES)).isNotBlank();
        });
    }

    @Test
    void catFromTheNormalLogHasItsExecutableArgumentsTerminalAndCwd() throws IOException {
        // type=SYSCALL msg=audit(1492037291.038:60): … syscall=59 success=yes exit=0 … ppid=12041 pid=13392 auid=1000
        //   uid=1000 … tty=pts1 ses=802 comm="cat" exe="/usr/bin/cat" … key="user_commands"
        // type=EXECVE msg=audit(1492037291.038:60): argc=2 a0="cat" a1="securitybeat"
        final Event cat = read("testdata_normal.log").recorder().serial(60);

        assertThat(cat.timeNanos()).isEqualTo(1_492_037_291_038_000_000L);
        assertThat(cat.getString(EVT_TYPE)).isEqualTo("execve");
        assertThat(cat.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(cat.get(EVT_FAILED)).isEqualTo(false);
        assertThat(cat.get(EVT_RAWRES)).isEqualTo(0L);
        assertThat(cat.getString(PROC_EXE)).isEqualTo("/usr/bin/cat");
        assertThat(cat.getString(PROC_NAME)).isEqualTo("cat");
        assertThat(cat.getString(PROC_ARGS)).isEqualTo("securitybeat");
        assertThat(cat.getString(PROC_CMDLINE)).isEqualTo("cat securitybeat");
        assertThat(cat.getString(PROC_CWD)).isEqualTo("/home/andrew_kroh");
        assertThat(cat.get(PROC_PID)).isEqualTo(13392L);
        assertThat(cat.get(PROC_PPID)).isEqualTo(12041L);
        assertThat(cat.get(USER_UID)).isEqualTo(1000L);
        assertThat(cat.get(USER_LOGINUID)).isEqualTo(1000L);
        assertThat(cat.get(PROC_TTY)).as("pts1: major 136, minor 1").isEqualTo(136L << 8 | 1);
        assertThat(cat.extra("audit.key")).isEqualTo("user_commands");
    }

    @Test
    void rhel7LogGivesAModuleLoadAFailedConnectWithHexExeAndAKill() throws IOException {
        final Recorder r = read("auparse_testdata_audit-rhel7.log").recorder();

        // syscall=313 success=yes exit=0 … pid=391 … auid=4294967295 uid=0 … comm="modprobe" exe="/usr/bin/kmod"
        final Event module = r.serial(17);
        assertThat(module.getString(EVT_TYPE)).isEqualTo("finit_module");
        assertThat(module.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(module.getString(PROC_EXE)).isEqualTo("/usr/bin/kmod");
        assertThat(module.getString(PROC_NAME)).isEqualTo("modprobe");
        assertThat(module.get(USER_LOGINUID)).as("auid unset").isEqualTo(-1L);
        assertThat(module.extras()).doesNotContainKey("audit.auid");

        // syscall=42 success=no exit=-115 … comm="google_ip_forwa" exe=2F7573722F…6429 (hex)
        final Event connect = r.serial(512226);
        assertThat(connect.getString(EVT_TYPE)).isEqualTo("connect");
        assertThat(connect.getString(EVT_RES)).isEqualTo("EINPROGRESS");
        assertThat(connect.get(EVT_FAILED)).isEqualTo(true);
        assertThat(connect.get(EVT_RAWRES)).isEqualTo(-115L);
        assertThat(connect.getString(PROC_EXE)).isEqualTo("/usr/bin/python2.7;58d1ccfb (deleted)");

        // syscall=62 success=yes exit=0 … pid=8158 auid=1000 uid=1000 … comm="bash" exe="/usr/bin/bash" key="kill_signals"
        final Event kill = r.serial(1095517);
        assertThat(kill.getString(EVT_TYPE)).isEqualTo("kill");
        assertThat(kill.getString(PROC_EXE)).isEqualTo("/usr/bin/bash");
        assertThat(kill.get(PROC_PID)).isEqualTo(8158L);
        assertThat(kill.extra("audit.auid")).isEqualTo(1000L);
    }
}
