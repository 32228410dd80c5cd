package dev.peregrine.collector.auditd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.source.InputFormat;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Falco fields Falco's upstream rules read, as auditd records give them. */
class AuditdFalcoFieldsTest {

    private static List<Event> read(final String... lines) throws IOException {
        final List<Event> events = new ArrayList<>();
        InputFormat.AUDITD.stream("audit.log",
                new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)), 65_536)
                .read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        throw new AssertionError(rejection.toString());
                    }
                });
        return events;
    }

    @Test
    void anOpenatForWritingGivesFlagsIsOpenWriteAndTheNewFd() throws IOException {
        // openat(AT_FDCWD, "/var/log/agent.log", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC) = 3, from an ssh login on pts/1
        final Event open = read(
                "type=SYSCALL msg=audit(1763800000.100:201): arch=c000003e syscall=257 success=yes exit=3"
                        + " a0=ffffff9c a1=7ffd a2=80241 a3=1b6 items=2 ppid=900 pid=901 auid=1000 uid=0 gid=0 euid=0"
                        + " tty=pts1 ses=3 comm=\"truncate\" exe=\"/usr/bin/truncate\" key=\"logs\"",
                "type=CWD msg=audit(1763800000.100:201): cwd=\"/var/log\"",
                "type=PATH msg=audit(1763800000.100:201): item=0 name=\"/var/log/\" nametype=PARENT",
                "type=PATH msg=audit(1763800000.100:201): item=1 name=\"agent.log\" nametype=CREATE").get(0);

        assertThat(open.getString(StandardFields.EVT_ARG_FLAGS)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
        assertThat(open.get(StandardFields.EVT_IS_OPEN_WRITE)).isEqualTo(true);
        assertThat(open.get(StandardFields.EVT_IS_OPEN_READ)).isEqualTo(false);
        assertThat(open.get(StandardFields.FD_NUM)).isEqualTo(3L);
        assertThat(open.get(StandardFields.EVT_RAWRES)).isEqualTo(3L);
        assertThat(open.getString(StandardFields.FD_TYPECHAR)).isEqualTo("f");
        assertThat(open.getString(StandardFields.FD_DIRECTORY)).isEqualTo("/var/log");
        assertThat(open.getString(StandardFields.FD_FILENAME)).isEqualTo("agent.log");
        assertThat(open.get(StandardFields.USER_LOGINUID)).isEqualTo(1000L);
        assertThat(open.get(StandardFields.PROC_TTY)).isEqualTo(136L << 8 | 1);
        assertThat(open.getString(StandardFields.PROC_EXEPATH)).isEqualTo("/usr/bin/truncate");
    }

    @Test
    void aFailedReadOnlyOpenHasNoFdAndADaemonHasNoLoginOrTerminal() throws IOException {
        final Event open = read(
                "type=SYSCALL msg=audit(1763800000.200:202): arch=c000003e syscall=2 success=no exit=-13"
                        + " a0=7ffd a1=0 a2=0 a3=0 items=1 ppid=1 pid=950 auid=4294967295 uid=33 gid=33 euid=33"
                        + " tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"secrets\"",
                "type=CWD msg=audit(1763800000.200:202): cwd=\"/\"",
                "type=PATH msg=audit(1763800000.200:202): item=0 name=\"/etc/shadow\" nametype=NORMAL").get(0);

        assertThat(open.getString(StandardFields.EVT_ARG_FLAGS)).isEqualTo("O_RDONLY");
        assertThat(open.get(StandardFields.EVT_IS_OPEN_READ)).isEqualTo(true);
        assertThat(open.get(StandardFields.EVT_IS_OPEN_WRITE)).isEqualTo(false);
        assertThat(open.has(StandardFields.FD_NUM)).isFalse();
        assertThat(open.get(StandardFields.EVT_RAWRES)).isEqualTo(-13L);
        assertThat(open.get(StandardFields.USER_LOGINUID)).isEqualTo(-1L);
        assertThat(open.get(StandardFields.PROC_TTY)).isEqualTo(0L);
    }

    @Test
    void aConnectIsAnIpv4SocketWhoseServerIsTheRemoteEnd() throws IOException {
        final Event connect = read(
                "type=SYSCALL msg=audit(1763800000.300:203): arch=c000003e syscall=42 success=yes exit=0"
                        + " a0=5 a1=7ffd a2=10 a3=0 items=0 ppid=42 pid=43 auid=4294967295 uid=1000 gid=1000"
                        + " euid=1000 tty=(none) ses=4294967295 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\"",
                "type=SOCKADDR msg=audit(1763800000.300:203): saddr=020001BBC0A800010000000000000000").get(0);

        assertThat(connect.getString(StandardFields.FD_TYPE)).isEqualTo("ipv4");
        assertThat(connect.getString(StandardFields.FD_TYPECHAR)).isEqualTo("4");
        assertThat(connect.getString(StandardFields.FD_RIP)).isEqualTo("192.168.0.1");
        assertThat(connect.get(StandardFields.FD_RPORT)).isEqualTo(443L);
        assertThat(connect.has(StandardFields.FD_DIRECTORY)).isFalse();
    }

    @Test
    void aRelativePathKeepsItsRawFormAndPtraceNamesItsRequest() throws IOException {
        final List<Event> events = read(
                "type=SYSCALL msg=audit(1763800000.400:204): arch=c000003e syscall=257 success=yes exit=4"
                        + " a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=42 pid=44 auid=4294967295 uid=1000 gid=1000"
                        + " euid=1000 tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"secrets\"",
                "type=CWD msg=audit(1763800000.400:204): cwd=\"/workspace/repo\"",
                "type=PATH msg=audit(1763800000.400:204): item=0 name=\"../../etc/passwd\" nametype=NORMAL",
                "type=SYSCALL msg=audit(1763800000.500:205): arch=c000003e syscall=101 success=yes exit=0"
                        + " a0=10 a1=2b a2=0 a3=0 items=0 ppid=42 pid=45 auid=4294967295 uid=1000 gid=1000"
                        + " euid=1000 tty=(none) ses=4294967295 comm=\"gdb\" exe=\"/usr/bin/gdb\" key=\"ptrace\"");

        assertThat(events.get(0).getString(StandardFields.FD_NAME)).isEqualTo("/etc/passwd");
        assertThat(events.get(0).getString(StandardFields.FD_NAMERAW)).isEqualTo("../../etc/passwd");
        assertThat(events.get(1).getString(StandardFields.EVT_TYPE)).isEqualTo("ptrace");
        assertThat(events.get(1).getString(StandardFields.EVT_ARG_REQUEST)).isEqualTo("PTRACE_ATTACH");
        assertThat(AuditEventMapper.ptraceRequest("4206", "c00000b7")).isEqualTo("PTRACE_SEIZE");
        assertThat(AuditEventMapper.ptraceRequest("d", "c00000b7")).as("SETREGS is x86 only").isEqualTo("13");
    }

    @Test
    void aHardlinkGivesTheExistingAndTheNewPath() throws IOException {
        // linkat(AT_FDCWD, "/etc/shadow", AT_FDCWD, "s", 0) run in /tmp
        final Event link = read(
                "type=SYSCALL msg=audit(1763800000.600:206): arch=c000003e syscall=265 success=yes exit=0"
                        + " a0=ffffff9c a1=7ffd a2=ffffff9c a3=7ffe items=3 ppid=42 pid=46 auid=4294967295 uid=0"
                        + " gid=0 euid=0 tty=(none) ses=4294967295 comm=\"ln\" exe=\"/usr/bin/ln\" key=\"link\"",
                "type=CWD msg=audit(1763800000.600:206): cwd=\"/tmp\"",
                "type=PATH msg=audit(1763800000.600:206): item=0 name=\"/etc/shadow\" nametype=NORMAL",
                "type=PATH msg=audit(1763800000.600:206): item=1 name=\"/tmp\" nametype=PARENT",
                "type=PATH msg=audit(1763800000.600:206): item=2 name=\"s\" nametype=CREATE").get(0);

        assertThat(link.getString(StandardFields.EVT_TYPE)).isEqualTo("linkat");
        assertThat(link.getString(StandardFields.EVT_ARG_OLDPATH)).isEqualTo("/etc/shadow");
        assertThat(link.getString(StandardFields.EVT_ARG_NEWPATH)).isEqualTo("/tmp/s");
    }

    @Test
    void ttyNamesBecomeDeviceNumbers() {
        assertThat(AuditEventMapper.ttyDevice("(none)")).isZero();
        assertThat(AuditEventMapper.ttyDevice("pts0")).isEqualTo(34_816L);
        assertThat(AuditEventMapper.ttyDevice("tty1")).isEqualTo(1_025L);
        assertThat(AuditEventMapper.ttyDevice("ttyS0")).isNull();
    }
}
