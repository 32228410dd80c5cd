package dev.peregrine.collector.auditd;

import static dev.peregrine.collector.deadletter.Rejection.Reason.INVALID_ENCODING;
import static dev.peregrine.collector.deadletter.Rejection.Reason.INVALID_VALUE;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MISSING_FIELD;
import static dev.peregrine.collector.deadletter.Rejection.Reason.UNKNOWN_FORMAT;
import static dev.peregrine.collector.event.StandardFields.EVT_FAILED;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_SIP;
import static dev.peregrine.collector.event.StandardFields.FD_SPORT;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditdSourceTest {

    private static final String FIXTURES = "/dev/peregrine/collector/auditd/";

    /** Collects what a source hands over. */
    static final class Recorder implements SourceListener {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            rejections.add(rejection);
        }

        Event serial(final long serial) {
            return events.stream().filter(e -> Long.valueOf(serial).equals(e.extra("audit.serial"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no event with serial " + serial + " in " + events));
        }
    }

    private static Recorder read(final AuditdSource source) {
        final Recorder recorder = new Recorder();
        try {
            source.read(recorder);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return recorder;
    }

    private static AuditdSource fixture(final String file) {
        final InputStream in = AuditdSourceTest.class.getResourceAsStream(FIXTURES + file);
        assertThat(in).as(file).isNotNull();
        return AuditdSource.of(file, in, new AuditdParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
    }

    private static Recorder lines(final String... lines) {
        return read(AuditdSource.of("test", new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)),
                new AuditdParser(), LineReader.DEFAULT_MAX_LINE_BYTES));
    }

    /** The raw lines of the aucoalesce YAML test files: every line whose text starts with a record. */
    private static byte[] yamlRecords(final String file) throws IOException {
        try (InputStream in = AuditdSourceTest.class.getResourceAsStream(FIXTURES + file)) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.strip().startsWith("type=")) {
                    out.writeBytes((line.strip() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            return out.toByteArray();
        }
    }

    // --- the go-libaudit test logs, checked by hand ---

    @Test
    void normalLogGivesFiveSyscallEventsWithDecodedExeAndMetadataConnect() {
        final Recorder r = read(fixture("testdata_normal.log"));

        assertThat(r.rejections).isEmpty();
        assertThat(r.events).extracting(e -> e.getString(EVT_TYPE))
                .containsExactly("connect", "execve", "execve", "connect", "accept");
        final Event connect = r.serial(58);
        assertThat(connect.timeNanos()).isEqualTo(1_492_037_289_295_000_000L);
        assertThat(connect.getString(EVT_SOURCE)).isEqualTo("auditd");
        assertThat(connect.getString(EVT_RES)).isEqualTo("EINPROGRESS");
        assertThat(connect.get(EVT_FAILED)).isEqualTo(true);
        assertThat(connect.getString(PROC_EXE)).isEqualTo("/usr/bin/python2.7;58d1ccfb (deleted)");
        assertThat(connect.getString(PROC_NAME)).isEqualTo("google_accounts");
        assertThat(connect.getString(FD_SIP)).isEqualTo("169.254.169.254");
        assertThat(connect.get(FD_SPORT)).isEqualTo(80L);
        assertThat(connect.getString(FD_NAME)).isEqualTo("?->169.254.169.254:80");
        assertThat(connect.extras()).doesNotContainKey("audit.auid").doesNotContainKey("audit.key");

        final Event grep = r.serial(59);
        assertThat(grep.getString(PROC_EXE)).isEqualTo("/usr/bin/grep");
        assertThat(grep.getString(PROC_CMDLINE)).isEqualTo("grep --color=auto mapping");
        assertThat(grep.getString(PROC_ARGS)).isEqualTo("--color=auto mapping");
        assertThat(grep.getString(PROC_CWD)).isEqualTo("/home/andrew_kroh");
        assertThat(grep.get(PROC_PID)).isEqualTo(13393L);
        assertThat(grep.get(PROC_PPID)).isEqualTo(12041L);
        assertThat(grep.get(USER_UID)).isEqualTo(1000L);
        assertThat(grep.extra("audit.auid")).isEqualTo(1000L);
        assertThat(grep.extra("audit.key")).isEqualTo("user_commands");
        assertThat(grep.has(FD_NAME)).as("execve has no file").isFalse();

        final Event unixConnect = r.serial(61);
        assertThat(unixConnect.getString(FD_NAME)).isEqualTo("/var/spool/postfix/public/pickup");
        assertThat(unixConnect.has(FD_SIP)).isFalse();
    }

    @Test
    void permissionDeniedOpenBecomesEaccesWithPathResolvedAgainstCwd() {
        final AuditdSource source = fixture("auparse_testdata_test2.log");
        final Recorder r = read(source);

        assertThat(r.rejections).isEmpty();
        assertThat(r.events).hasSize(1);
        final Event open = r.events.get(0);
        assertThat(open.getString(EVT_TYPE)).isEqualTo("open");
        assertThat(open.getString(EVT_RES)).isEqualTo("EACCES");
        assertThat(open.get(EVT_FAILED)).isEqualTo(true);
        assertThat(open.getString(FD_NAME)).isEqualTo("/var/spool/postfix/maildrop");
        assertThat(open.getString(PROC_EXE)).isEqualTo("/usr/libexec/postfix/pickup");
        assertThat(open.get(USER_UID)).isEqualTo(890L);
        assertThat(source.skipped()).isEqualTo(6);
        assertThat(source.skippedByType()).containsOnlyKeys("USER_ACCT", "CRED_ACQ", "LOGIN", "USER_START",
                "CRED_DISP", "USER_END");
    }

    @Test
    void interleavedRecordsAreJoinedByEventIdAndHexProctitleDecoded() {
        final Recorder r = read(fixture("auparse_testdata_test3.log"));

        assertThat(r.rejections).isEmpty();
        assertThat(r.events).hasSize(8);
        assertThat(r.serial(194433).extra("audit.proctitle")).isEqualTo("bash");
        final Event sshd = r.serial(194435);
        assertThat(sshd.getString(EVT_TYPE)).isEqualTo("select");
        assertThat(sshd.extra("audit.proctitle")).isEqualTo("sshd: burn [priv]");
        assertThat(sshd.getString(PROC_NAME)).isEqualTo("sshd");
        assertThat(r.serial(194440).getString(EVT_TYPE)).isEqualTo("clock_gettime");

        final Event seccomp = r.serial(10262);
        assertThat(seccomp.getString(EVT_TYPE)).isEqualTo("seccomp");
        assertThat(seccomp.getString(EVT_RES)).isEqualTo("EPERM");
        assertThat(seccomp.getString(PROC_EXE)).isEqualTo("/usr/sbin/sshd");
        assertThat(seccomp.extra("audit.syscall")).isEqualTo("getpgid");
    }

    @Test
    void recordTypeZooMapsItsSyscallsSkipsTheRestAndRejectsTheHeaderlessLine() {
        final AuditdSource source = fixture("auparse_testdata_audit-rhel7.log");
        final Recorder r = read(source);

        assertThat(r.rejections).extracting(Rejection::line, Rejection::reason)
                .containsExactly(tuple(31L, MISSING_FIELD));
        assertThat(r.events).extracting(e -> e.getString(EVT_TYPE)).containsExactlyInAnyOrder("finit_module", "connect", "kill");
        assertThat(r.serial(1095517).extra("audit.key")).isEqualTo("kill_signals");
        assertThat(source.skipped()).isEqualTo(43);
        assertThat(source.skippedByType()).containsEntry("USER_TTY", 2L).containsEntry("SOCKADDR", 5L);
    }

    @Test
    void aucoalesceYamlSamplesParse() throws IOException {
        final Recorder rhel = read(AuditdSource.of("rhel7.yaml", new ByteArrayInputStream(
                yamlRecords("aucoalesce_testdata_rhel-7-linux-3.10.0.yaml")), new AuditdParser(), 1 << 20));
        assertThat(rhel.rejections).isEmpty();
        assertThat(rhel.events).extracting(e -> e.getString(EVT_TYPE)).containsExactly("adjtimex", "mknod", "mount");
        assertThat(rhel.serial(20246).extra("audit.key")).isEqualTo("time-change");
        final Event mknod = rhel.serial(20294);
        assertThat(mknod.getString(FD_NAME)).as("the CREATE item, not the PARENT").isEqualTo("/run/systemd/sessions/23.ref");
        assertThat(mknod.getString(PROC_EXE)).isEqualTo("/usr/lib/systemd/systemd-logind;58f98c85 (deleted)");
        assertThat(rhel.serial(48922).getString(FD_NAME)).isEqualTo("/run/user/0");

        final Recorder ubuntu = read(AuditdSource.of("ubuntu.yaml", new ByteArrayInputStream(
                yamlRecords("aucoalesce_testdata_ubuntu-24.04-linux-6.8.0.yaml")), new AuditdParser(), 1 << 20));
        assertThat(ubuntu.events).singleElement().satisfies(linkat -> {
            assertThat(linkat.getString(EVT_TYPE)).as("aarch64 syscall 37").isEqualTo("linkat");
            assertThat(linkat.getString(EVT_RES)).isEqualTo("EFAULT");
            assertThat(linkat.extra("audit.arch")).isEqualTo("aarch64");
        });
    }

    // --- hand-made cases ---

    @Test
    void longArgumentsSplitIntoChunksAcrossExecveRecordsAreReassembled() {
        final Recorder r = lines(
                "type=SYSCALL msg=audit(1700000000.123:500): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4"
                        + " items=1 ppid=10 pid=11 auid=1000 uid=1000 comm=\"python3\" exe=\"/usr/bin/python3.12\" key=(null)",
                "type=EXECVE msg=audit(1700000000.123:500): argc=4 a0=\"python3\" a1_len=11 a1[0]=68656C6C6F",
                "type=EXECVE msg=audit(1700000000.123:500): a1[1]=20776F726C64 a2=2F746D702F6D7920646972 a3=\"-v\"",
                "type=CWD msg=audit(1700000000.123:500): cwd=\"/work\"",
                "type=PROCTITLE msg=audit(1700000000.123:500): proctitle=707974686F6E33",
                "type=EOE msg=audit(1700000000.123:500):");

        assertThat(r.rejections).isEmpty();
        final Event exec = r.events.get(0);
        assertThat(exec.timeNanos()).isEqualTo(1_700_000_000_123_000_000L);
        assertThat(exec.getString(PROC_ARGS)).isEqualTo("hello world /tmp/my dir -v");
        assertThat(exec.getString(PROC_CMDLINE)).isEqualTo("python3 hello world /tmp/my dir -v");
        assertThat(exec.getString(PROC_EXE)).isEqualTo("/usr/bin/python3.12");
    }

    @Test
    void interleavedEventsCompleteAtTheirOwnEoe() {
        final Recorder r = lines(
                "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=257 success=no exit=-2 pid=1 uid=0 comm=\"a\" exe=\"/a\"",
                "type=SYSCALL msg=audit(1700000000.001:2): arch=c000003e syscall=87 success=no exit=-30 pid=2 uid=0 comm=\"b\" exe=\"/b\"",
                "type=PATH msg=audit(1700000000.001:2): item=0 name=\"/ro\" nametype=PARENT",
                "type=CWD msg=audit(1700000000.000:1): cwd=\"/home/u\"",
                "type=PATH msg=audit(1700000000.001:2): item=1 name=\"/ro/file\" nametype=DELETE",
                "type=EOE msg=audit(1700000000.001:2):",
                "type=PATH msg=audit(1700000000.000:1): item=0 name=\"../etc/./shadow\" nametype=NORMAL",
                "type=EOE msg=audit(1700000000.000:1):");

        assertThat(r.events).extracting(e -> e.getString(EVT_TYPE), e -> e.getString(EVT_RES), e -> e.getString(FD_NAME))
                .containsExactly(tuple("unlink", "EROFS", "/ro/file"), tuple("openat", "ENOENT", "/home/etc/shadow"));
    }

    @Test
    void eventWithoutEoeIsCompletedAfterNewerEventsOrAtTheEnd() throws Exception {
        final AuditdParser parser = new AuditdParser(2);
        final List<Event> out = new ArrayList<>();
        parser.parse("type=SYSCALL msg=audit(1700000000.000:1): syscall=59 success=yes exit=0 pid=1 comm=\"old\"", out::add);
        parser.parse("type=SYSCALL msg=audit(1700000000.100:2): syscall=2 success=yes exit=3 pid=2 comm=\"b\"", out::add);
        parser.parse("type=EOE msg=audit(1700000000.100:2):", out::add);
        assertThat(out).extracting(e -> e.get(PROC_PID)).containsExactly(2L);
        assertThat(parser.pendingEvents()).isEqualTo(1);

        parser.parse("type=SYSCALL msg=audit(1700000000.200:3): syscall=2 success=yes exit=3 pid=3 comm=\"c\"", out::add);
        assertThat(out).extracting(e -> e.get(PROC_PID)).containsExactly(2L, 1L);

        parser.finish(out::add);
        assertThat(out).extracting(e -> e.get(PROC_PID)).containsExactly(2L, 1L, 3L);
        assertThat(parser.pendingEvents()).isZero();
    }

    @Test
    void anEventIsCompletedWhenItReachesTheRecordLimit() throws Exception {
        final AuditdParser parser = new AuditdParser();
        final List<Event> out = new ArrayList<>();
        parser.parse("type=SYSCALL msg=audit(1700000000.000:7): syscall=2 success=yes exit=3 pid=1 comm=\"a\"", out::add);
        for (int i = 1; i < AuditdParser.MAX_RECORDS_PER_EVENT; i++) {
            parser.parse("type=PATH msg=audit(1700000000.000:7): item=" + i + " name=\"/f" + i + "\" nametype=NORMAL", out::add);
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getString(FD_NAME)).isEqualTo("/f1");
        assertThat(parser.pendingEvents()).isZero();
    }

    @Test
    void nodePrefixAndEnrichedNamesFillHostAndUser() {
        final Recorder r = lines(
                "node=sbx-7 type=SYSCALL msg=audit(1700000000.500:42): arch=c000003e syscall=257 success=no exit=-13"
                        + " ppid=1 pid=77 auid=1001 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"secrets\""
                        + "\u001dARCH=x86_64 SYSCALL=openat AUID=\"alice\" UID=\"root\" GID=\"root\"",
                "node=sbx-7 type=PATH msg=audit(1700000000.500:42): item=0 name=\"/etc/shadow\" nametype=NORMAL\u001dOUID=\"root\"",
                "node=other type=SYSCALL msg=audit(1700000000.500:42): arch=c000003e syscall=999 success=yes exit=0 pid=5",
                "node=sbx-7 type=EOE msg=audit(1700000000.500:42):");

        assertThat(r.rejections).isEmpty();
        assertThat(r.events).hasSize(2);
        final Event open = r.events.get(0);
        assertThat(open.getString(HOST_NAME)).isEqualTo("sbx-7");
        assertThat(open.getString(USER_NAME)).isEqualTo("root");
        assertThat(open.get(USER_UID)).isEqualTo(0L);
        assertThat(open.getString(EVT_TYPE)).isEqualTo("openat");
        assertThat(open.getString(EVT_RES)).isEqualTo("EACCES");
        assertThat(open.getString(FD_NAME)).isEqualTo("/etc/shadow");
        assertThat(open.extra("audit.key")).isEqualTo("secrets");
        final Event other = r.events.get(1);
        assertThat(other.getString(HOST_NAME)).as("same serial on another node is another event").isEqualTo("other");
        assertThat(other.getString(EVT_TYPE)).isEqualTo("syscall_999");
    }

    @Test
    void ipv6ConnectGivesServerAddressAndTuple() {
        final Recorder r = lines(
                "type=SYSCALL msg=audit(1700000001.000:9): arch=c000003e syscall=42 success=no exit=-111 pid=3 uid=1000 comm=\"curl\" exe=\"/usr/bin/curl\"",
                "type=SOCKADDR msg=audit(1700000001.000:9): saddr=0A001F900000000020010DB800000000000000000000000100000000",
                "type=EOE msg=audit(1700000001.000:9):",
                "type=SYSCALL msg=audit(1700000001.100:10): arch=c000003e syscall=42 success=yes exit=0 pid=3 uid=1000 comm=\"curl\"",
                "type=SOCKADDR msg=audit(1700000001.100:10): saddr=0A0001BB00000000000000000000000000000000000000010000000000",
                "type=EOE msg=audit(1700000001.100:10):");

        assertThat(r.events).extracting(e -> e.getString(FD_SIP), e -> e.get(FD_SPORT), e -> e.getString(FD_NAME),
                        e -> e.getString(EVT_RES))
                .containsExactly(tuple("2001:db8::1", 8080L, "?->[2001:db8::1]:8080", "ECONNREFUSED"),
                        tuple("::1", 443L, "?->[::1]:443", "SUCCESS"));
    }

    @Test
    void proctitleWithNulSeparatorsGivesArgsWhenThereIsNoExecveAndHexNamesAreDecoded() {
        final Recorder r = lines(
                "type=SYSCALL msg=audit(1700000002.000:20): arch=c000003e syscall=90 success=yes exit=0 pid=4 comm=\"python3\" exe=\"/usr/bin/python3\"",
                "type=CWD msg=audit(1700000002.000:20): cwd=2F746D702F6D7920646972",
                "type=PATH msg=audit(1700000002.000:20): item=0 name=6D792066696C65 nametype=NORMAL",
                "type=PROCTITLE msg=audit(1700000002.000:20): proctitle=707974686F6E33002D6300696D706F7274206F73");

        final Event chmod = r.events.get(0);
        assertThat(chmod.getString(EVT_TYPE)).isEqualTo("chmod");
        assertThat(chmod.getString(PROC_CWD)).isEqualTo("/tmp/my dir");
        assertThat(chmod.getString(FD_NAME)).as("hex name, relative to a hex cwd").isEqualTo("/tmp/my dir/my file");
        assertThat(chmod.getString(PROC_ARGS)).isEqualTo("-c import os");
        assertThat(chmod.getString(PROC_CMDLINE)).isEqualTo("python3 -c import os");
        assertThat(chmod.extra("audit.proctitle")).isEqualTo("python3 -c import os");
    }

    @Test
    void avcWithoutSyscallIsAnAvcDenial() {
        final Recorder r = lines("type=AVC msg=audit(1700000003.000:30): avc:  denied  { write } for  pid=9 comm=\"agent\""
                + " path=\"/etc/passwd\" dev=\"sda1\" ino=1 scontext=a tcontext=b tclass=file permissive=0");

        assertThat(r.events).singleElement().satisfies(avc -> {
            assertThat(avc.getString(EVT_TYPE)).isEqualTo("avc");
            assertThat(avc.getString(EVT_RES)).isEqualTo("EACCES");
            assertThat(avc.getString(FD_NAME)).isEqualTo("/etc/passwd");
            assertThat(avc.getString(PROC_NAME)).isEqualTo("agent");
            assertThat(avc.extra("audit.tclass")).isEqualTo("file");
        });
    }

    @Test
    void badLinesAreRejectedOneByOneAndTheirEventsStillComplete() {
        final byte[] latin1 = "type=CWD msg=audit(1700000004.000:40): cwd=\"/caf\u00e9\"".getBytes(StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(("type=SYSCALL msg=audit(1700000004.000:40): syscall=59 success=yes exit=0 pid=1 comm=\"sh\"\n"
                + "this is not an audit record\n"
                + "type=PATH msg=audit(17000x0004.000:40): item=0 name=\"x\"\n"
                + "type=EXECVE msg=audit(1700000004.000:40): argc=2 a0=\"sh\" a1=\"unterminated\n"
                + "\n").getBytes(StandardCharsets.UTF_8));
        input.writeBytes(latin1);
        input.writeBytes("\ntype=EOE msg=audit(1700000004.000:40):\n".getBytes(StandardCharsets.UTF_8));

        final Recorder r = read(AuditdSource.of("bad", new ByteArrayInputStream(input.toByteArray()), new AuditdParser(), 1024));

        assertThat(r.rejections).extracting(Rejection::line, Rejection::reason)
                .containsExactly(tuple(2L, UNKNOWN_FORMAT), tuple(3L, INVALID_VALUE), tuple(4L, INVALID_VALUE),
                        tuple(6L, INVALID_ENCODING));
        assertThat(r.events).singleElement().satisfies(sh -> {
            assertThat(sh.getString(EVT_TYPE)).isEqualTo("execve");
            assertThat(sh.getString(PROC_NAME)).isEqualTo("sh");
        });
    }

    @Test
    void ipv6TextFollowsRfc5952() {
        final byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = 10;
        mapped[15] = 1;
        assertThat(AuditEventMapper.ipv6(mapped, 0)).isEqualTo("::ffff:10.0.0.1");
        final byte[] twoRuns = {0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        assertThat(AuditEventMapper.ipv6(twoRuns, 0)).as("the longer run").isEqualTo("2001:0:0:1::1");
        final byte[] equalRuns = {0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
        assertThat(AuditEventMapper.ipv6(equalRuns, 0)).as("the first of two equal runs").isEqualTo("2001::1:0:0:1:1");
        assertThat(AuditEventMapper.ipv6(new byte[16], 0)).isEqualTo("::");
    }

    @Test
    void pathsAreResolvedAndNormalized() {
        assertThat(AuditEventMapper.resolve("/a/b", "../c/./d")).isEqualTo("/a/c/d");
        assertThat(AuditEventMapper.resolve(null, "rel")).isEqualTo("rel");
        assertThat(AuditEventMapper.resolve("/x", "//etc//passwd")).isEqualTo("/etc/passwd");
        assertThat(AuditEventMapper.resolve("/", "..")).isEqualTo("/");
    }

    @Test
    void skippedEventsAreCountedByRecordType() {
        final AuditdSource source = AuditdSource.of("x", new ByteArrayInputStream(
                "type=USER_LOGIN msg=audit(1.000:1): pid=1 uid=0 msg='op=login acct=\"root\" res=failed'\n".getBytes(StandardCharsets.UTF_8)),
                new AuditdParser(), 1024);
        final Recorder r = read(source);
        assertThat(r.events).isEmpty();
        assertThat(r.rejections).isEmpty();
        assertThat(source.skippedByType()).isEqualTo(Map.of("USER_LOGIN", 1L));
    }

    // --- found by AuditdParserFuzzTest ---

    @Test
    void syscallRecordWithoutASyscallNumberIsStillAnEventAndCostsNoOtherLine() {
        // Was a NullPointerException in the mapper, thrown while parsing whichever later line completed the event.
        final Recorder r = lines(
                "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e success=yes exit=0 pid=5 comm=\"x\" exe=\"/bin/x\"",
                "type=PATH msg=audit(1700000000.000:1): item=0 name=\"/etc/passwd\" nametype=NORMAL",
                "type=EOE msg=audit(1700000000.000:1):",
                "type=SYSCALL msg=audit(1700000000.000:2): arch=c000003e syscall=59 success=yes exit=0 pid=6 comm=\"y\"",
                "type=EOE msg=audit(1700000000.000:2):");

        assertThat(r.rejections).isEmpty();
        assertThat(r.events).hasSize(2);
        final Event unnumbered = r.serial(1);
        assertThat(unnumbered.has(EVT_TYPE)).isFalse();
        assertThat(unnumbered.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(unnumbered.getString(PROC_EXE)).isEqualTo("/bin/x");
        assertThat(r.serial(2).getString(EVT_TYPE)).isEqualTo("execve");
    }

    @Test
    void recordsTouchingOldEventsCannotMakeTheParserHoldMoreThanItsBound() throws Exception {
        // Was unbounded: a record for a held event made it young again, so events interleaved this
        // way were never completed by age and piled up (memory grows with hostile input).
        final AuditdParser parser = new AuditdParser(2);
        final List<Event> events = new ArrayList<>();
        for (final int serial : new int[] {1, 2, 1, 3, 2, 1, 4, 3, 2, 1, 5, 4, 3, 2, 1, 6}) {
            parser.parse("type=SYSCALL msg=audit(1700000000.000:" + serial + "): arch=c000003e syscall=59 success=yes exit=0",
                    events::add);
            assertThat(parser.pendingEvents()).as("held after serial " + serial).isLessThanOrEqualTo(3);
        }
        parser.finish(events::add);
        assertThat(parser.pendingEvents()).isZero();
        assertThat(events).extracting(e -> e.extra("audit.serial")).as("every serial completed, some in parts")
                .contains(1L, 2L, 3L, 4L, 5L, 6L);
    }
}
