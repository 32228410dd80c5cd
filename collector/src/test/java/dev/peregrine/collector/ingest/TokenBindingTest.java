package dev.peregrine.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBindingTest {

    @Test
    void generatedTokensArePrefixedRandomAndLongEnough() {
        final String one = TokenBinding.generateToken();
        final String two = TokenBinding.generateToken();

        assertThat(one).startsWith(TokenBinding.GENERATED_PREFIX).hasSize(4 + 43).isNotEqualTo(two);
        assertThat(one.substring(4)).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void theSecretNeverAppearsInTheBindingsText() {
        final String secret = TokenBinding.generateToken();
        final TokenBinding binding = new TokenBinding("ci", secret, new IdentityPattern("ci-runner", null, null));

        assertThat(binding.toString()).doesNotContain(secret).contains("ci", "agent.id=ci-runner");
    }

    @Test
    void aShortTokenIsRefusedWithAHint() {
        assertThatThrownBy(() -> new TokenBinding("ci", "secret", IdentityPattern.ANY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generateToken");
    }
}
