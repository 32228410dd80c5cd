package dev.peregrine.collector.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTokensTest {

    @Test
    void twoTokensWithTheSameSecretAreRefusedBecauseARequestCouldNotTellThemApart() {
        final String secret = "0123456789abcdef0123456789abcdef";

        assertThatThrownBy(() -> new BearerTokens(List.of(new TokenBinding("ops", secret, IdentityPattern.ANY),
                new TokenBinding("ci", secret, IdentityPattern.ANY))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens 'ops' and 'ci' have the same secret");
    }
}
