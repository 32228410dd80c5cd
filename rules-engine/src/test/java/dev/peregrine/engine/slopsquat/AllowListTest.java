package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowListTest {

    @Test
    void exactNamesPrefixesAndScopesInTheirNormalizedForm() throws IOException {
        final AllowList allowList = AllowList.read(new StringReader("""
                # internal packages
                pypi:Acme_Billing
                pypi:acme-*
                npm:@acme/*
                """));

        assertThat(allowList.allows(Ecosystem.PYPI, Ecosystem.PYPI.normalize("acme.billing"))).isTrue();
        assertThat(allowList.allows(Ecosystem.PYPI, "acme-ledger")).isTrue();
        assertThat(allowList.allows(Ecosystem.NPM, "@acme/ui")).isTrue();
        assertThat(allowList.allows(Ecosystem.NPM, "acme-billing")).isFalse();
        assertThat(allowList.allows(Ecosystem.PYPI, "billing")).isFalse();
    }

    @Test
    void malformedEntriesAreRejectedWithTheEntry() {
        assertThatThrownBy(() -> AllowList.of(List.of("acme-billing"))).hasMessageContaining("'acme-billing'");
        assertThatThrownBy(() -> AllowList.of(List.of("maven:acme"))).hasMessageContaining("unknown ecosystem 'maven'");
    }
}
