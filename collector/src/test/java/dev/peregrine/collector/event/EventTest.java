package dev.peregrine.collector.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventTest {

    @Test
    void failedIsDerivedFromResultWhenTheSourceDidNotSayIt() {
        final Event denied = Event.builder().time(1).set(StandardFields.EVT_RES, "EACCES").build();
        final Event ok = Event.builder().time(1).set(StandardFields.EVT_RES, "SUCCESS").build();
        final Event unknown = Event.builder().time(1).build();

        assertThat(denied.get(StandardFields.EVT_FAILED)).isEqualTo(true);
        assertThat(ok.get(StandardFields.EVT_FAILED)).isEqualTo(false);
        assertThat(unknown.has(StandardFields.EVT_FAILED)).isFalse();
    }

    @Test
    void cmdlineIsNamePlusArgsUnlessGiven() {
        final Event derived = Event.builder().time(1)
                .set(StandardFields.PROC_NAME, "curl").set(StandardFields.PROC_ARGS, "-s http://x").build();
        final Event nameOnly = Event.builder().time(1).set(StandardFields.PROC_NAME, "ls").build();
        final Event given = Event.builder().time(1).set(StandardFields.PROC_NAME, "sh")
                .set(StandardFields.PROC_CMDLINE, "sh -c id").build();

        assertThat(derived.getString(StandardFields.PROC_CMDLINE)).isEqualTo("curl -s http://x");
        assertThat(nameOnly.getString(StandardFields.PROC_CMDLINE)).isEqualTo("ls");
        assertThat(given.getString(StandardFields.PROC_CMDLINE)).isEqualTo("sh -c id");
    }

    @Test
    void eventTimeIsRequired() {
        assertThatThrownBy(() -> Event.builder().set(StandardFields.PROC_NAME, "sh").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("evt.time");
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Event.builder().set(StandardFields.PROC_PID, "12"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proc.pid").hasMessageContaining("int");
    }

    @Test
    void withReturnsAChangedCopyAndLeavesTheOriginal() {
        final Event original = Event.builder().time(5).set(StandardFields.AGENT_ID, "a").extra("k8s.ns", "x").build();
        final Event changed = original.with(StandardFields.AGENT_ID, "b");

        assertThat(original.getString(StandardFields.AGENT_ID)).isEqualTo("a");
        assertThat(changed.getString(StandardFields.AGENT_ID)).isEqualTo("b");
        assertThat(changed.extra("k8s.ns")).isEqualTo("x");
        assertThat(changed).isNotEqualTo(original);
        assertThat(changed.with(StandardFields.AGENT_ID, "a")).isEqualTo(original);
    }

    @Test
    void registryKnowsEverySpecFieldWithTypeAndDescription() {
        final FieldRegistry registry = FieldRegistry.standard();

        assertThat(registry.find("fd.sport")).get().extracting(Field::type).isEqualTo(FieldType.INT);
        assertThat(registry.find("evt.time")).get().extracting(Field::type).isEqualTo(FieldType.TIMESTAMP);
        assertThat(registry.find("platform.remote_addr")).isPresent();
        assertThat(registry.fields()).allSatisfy(field -> {
            assertThat(field.description()).isNotBlank();
            assertThat(registry.bySlot(field.slot())).isSameAs(field);
        });
    }

    @Test
    void registrySuggestsTheClosestNameForATypo() {
        final FieldRegistry registry = FieldRegistry.standard();

        assertThat(registry.closest("proc.nme")).contains("proc.name");
        assertThat(registry.closest("totally.unrelated.thing")).isEmpty();
        assertThat(registry.ownsNamespaceOf("proc.nme")).isTrue();
        assertThat(registry.ownsNamespaceOf("k8s.ns.name")).isFalse();
    }

    @Test
    void aClearedBuilderCollectsTheNextEventAndLeavesTheBuiltOneAlone() {
        final Event.Builder builder = Event.builder().time(1).set(StandardFields.PROC_NAME, "sh")
                .extra("k8s.ns", "ci").ancestry(Ancestry.NONE);
        final Event first = builder.build();

        final Event second = builder.clear().time(2).set(StandardFields.EVT_TYPE, "openat").build();

        assertThat(first.timeNanos()).isEqualTo(1);
        assertThat(first.get(StandardFields.PROC_NAME)).isEqualTo("sh");
        assertThat(first.extras()).containsEntry("k8s.ns", "ci");
        assertThat(second).isEqualTo(Event.builder().time(2).set(StandardFields.EVT_TYPE, "openat").build());
        assertThat(second.extras()).isEmpty();
    }
}
