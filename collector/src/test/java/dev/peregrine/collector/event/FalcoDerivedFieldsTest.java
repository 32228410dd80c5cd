package dev.peregrine.collector.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Fields an event derives from others when the source did not give them, as Falco defines them. */
class FalcoDerivedFieldsTest {

    @Test
    void exepathIsAnAbsoluteExeOnly() {
        assertThat(Event.builder().time(1).set(StandardFields.PROC_EXE, "/usr/bin/curl").build()
                .getString(StandardFields.PROC_EXEPATH)).isEqualTo("/usr/bin/curl");
        assertThat(Event.builder().time(1).set(StandardFields.PROC_EXE, "curl").build()
                .has(StandardFields.PROC_EXEPATH)).isFalse();
    }

    @Test
    void aFileNameSplitsIntoDirectoryAndFilename() {
        final Event passwd = Event.builder().time(1).set(StandardFields.FD_NAME, "/etc/passwd").build();
        final Event root = Event.builder().time(1).set(StandardFields.FD_NAME, "/vmlinuz")
                .set(StandardFields.FD_TYPE, "file").build();

        assertThat(passwd.getString(StandardFields.FD_DIRECTORY)).isEqualTo("/etc");
        assertThat(passwd.getString(StandardFields.FD_FILENAME)).isEqualTo("passwd");
        assertThat(root.getString(StandardFields.FD_DIRECTORY)).isEqualTo("/");
        assertThat(root.getString(StandardFields.FD_FILENAME)).isEqualTo("vmlinuz");
    }

    @Test
    void socketsAndConnectionTuplesHaveNoDirectory() {
        final Event unixSocket = Event.builder().time(1).set(StandardFields.FD_NAME, "/run/docker.sock")
                .set(StandardFields.FD_TYPE, "unix").build();
        final Event tuple = Event.builder().time(1).set(StandardFields.FD_NAME, "10.0.0.2:4711->1.1.1.1:443").build();

        assertThat(unixSocket.has(StandardFields.FD_DIRECTORY)).isFalse();
        assertThat(tuple.has(StandardFields.FD_FILENAME)).isFalse();
    }

    @Test
    void ancestryIsPartOfTheValueAndSurvivesCopies() {
        final Ancestry ancestry = new Ancestry(List.of(new Ancestry.Ancestor(7, "python3", "/usr/bin/python3", null)));
        final Event event = Event.builder().time(1).set(StandardFields.PROC_PID, 8L).ancestry(ancestry).build();

        assertThat(event.ancestry()).isEqualTo(ancestry);
        assertThat(event.with(StandardFields.PROC_NAME, "sh").ancestry()).isEqualTo(ancestry);
        assertThat(event).isNotEqualTo(Event.builder().time(1).set(StandardFields.PROC_PID, 8L).build());
        assertThat(Event.builder().time(1).build().ancestry()).isSameAs(Ancestry.NONE);
        assertThat(event.toMap()).containsOnlyKeys("evt.time", "proc.pid");
    }
}
