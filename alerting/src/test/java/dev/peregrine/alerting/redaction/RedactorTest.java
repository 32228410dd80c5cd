package dev.peregrine.alerting.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.alerting.Alert;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each kind of secret is masked, with a readable prefix; ordinary alert text is left alone. */
class RedactorTest {

    private final Redactor redactor = Redactor.withDefaults();

    static Stream<FakeSecrets.Case> secrets() {
        return FakeSecrets.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secrets")
    void eachSecretKindIsMaskedKeepingOnlyItsPrefix(final FakeSecrets.Case secret) {
        final String redacted = redactor.redact(secret.text());

        assertThat(redacted).isEqualTo(secret.redacted());
        for (final String needle : secret.needles()) {
            assertThat(redacted).doesNotContain(needle);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secrets")
    void eachSecretIsCountedAgainstThePatternThatFoundIt(final FakeSecrets.Case secret) {
        final long[] hits = new long[redactor.patterns().size()];

        redactor.redact(secret.text(), hits);

        final int index = redactor.patterns().stream().map(RedactionPattern::name).toList().indexOf(secret.kind());
        assertThat(hits[index]).as("hits of %s", secret.kind()).isEqualTo(1);
        assertThat(Stream.of(hits).flatMapToLong(java.util.Arrays::stream).sum()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Token budget 80% reached: ci-runner used 8,000 of 10,000 tokens (80.0%); last call model=claude tokens=1200+300",
        "max_tokens=4096 temperature=0.2",
        "Sensitive file opened for reading (file=/etc/shadow user=root cmdline=cat /etc/passwd)",
        "Cloud credentials read (file=/root/.aws/credentials proc=aws)",
        "PWD=/home/agent/work author=alice",
        "curl http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "ssh -i ~/.ssh/id_rsa git@github.com:acme/app.git",
        "https://registry.npmjs.org:443/left-pad",
        "pip install task-runner-with-a-very-long-hyphenated-name scikit-learn sk-learn",
        "the secret to success is tests",
        "Authorization header missing",
        "LLM request rate over limit: agent=ci-runner made 61 LLM calls in the minute"})
    void ordinaryAlertTextIsLeftAsItIs(final String text) {
        assertThat(redactor.redact(text)).isSameAs(text);
    }

    @Test
    void maskingIsIdempotent() {
        for (final FakeSecrets.Case secret : FakeSecrets.ALL) {
            assertThat(redactor.redact(secret.redacted())).as(secret.kind()).isEqualTo(secret.redacted());
        }
    }

    @Test
    void severalSecretsInOneTextAreAllMasked() {
        final String text = String.join(" ; ", FakeSecrets.ALL.stream().map(FakeSecrets.Case::text).toList());

        final String redacted = redactor.redact(text);

        assertThat(redacted).isEqualTo(String.join(" ; ",
                FakeSecrets.ALL.stream().map(FakeSecrets.Case::redacted).toList()));
    }

    @Test
    void alertOutputAndStringFieldsAreRedactedAndTheIdIsKept() {
        final FakeSecrets.Case secret = FakeSecrets.ALL.get(0);
        final Alert alert = FakeSecrets.alertCarrying(secret, 1);

        final Alert redacted = redactor.redact(alert);

        assertThat(redacted.id()).isEqualTo(alert.id());
        assertThat(redacted.output()).isEqualTo("Secret seen (cmdline=" + secret.redacted() + ")");
        assertThat(redacted.outputFields()).containsEntry("proc.cmdline", secret.redacted())
                .containsEntry("memory.content", secret.redacted())
                .containsEntry("proc.pid", 4242L)
                .containsEntry("agent.id", "ci-runner");
        assertThat(List.copyOf(redacted.outputFields().keySet())).isEqualTo(List.copyOf(alert.outputFields().keySet()));
        assertThat(redacted).usingRecursiveComparison().ignoringFields("output", "outputFields").isEqualTo(alert);
    }

    @Test
    void cleanAlertIsPassedOnAsTheSameInstance() {
        final Alert alert = FakeSecrets.alertCarrying(new FakeSecrets.Case("none", "ls -la /srv", "ls -la /srv",
                List.of()), 2);

        assertThat(redactor.redact(alert)).isSameAs(alert);
    }

    @Test
    void privateKeyCutOffBeforeItsEndIsMaskedToTheEnd() {
        final String truncated = "wrote -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAFAKE";

        assertThat(redactor.redact(truncated)).isEqualTo("wrote -----BEGIN OPENSSH PRIVATE KEY-----****");
    }

    @Test
    void aHugePrivateKeyBodyDoesNotOverflowTheStack() {
        final String body = "QUJD".repeat(250_000);
        final String text = "-----BEGIN PRIVATE KEY-----" + body + "-----END PRIVATE KEY-----";

        assertThat(redactor.redact(text)).isEqualTo("-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----");
    }

    @Test
    void configuredPatternsApplyWithTheirOwnPrefix() {
        final Redactor custom = new Redactor(List.of(
                RedactionPattern.of("acme_key", "\\bacme_[0-9a-f]{16}\\b", 5, List.of("acme_")),
                RedactionPattern.of("ticket", "ticket #(?<secret>\\d{6})", 0, List.of())));

        assertThat(custom.redact("deploy with acme_0123456789abcdef for ticket #123456"))
                .isEqualTo("deploy with acme_**** for ticket #****");
    }

    @Test
    void aPatternsRegexRunsOnlyOnTextHoldingOneOfItsHints() {
        final Redactor hinted = new Redactor(List.of(RedactionPattern.of("pin", "\\d{6}", 0, List.of("PIN"))));

        assertThat(hinted.redact("order 123456 shipped")).isEqualTo("order 123456 shipped");
        assertThat(hinted.redact("Pin 123456")).isEqualTo("Pin ****");
    }

    @Test
    void aConfiguredPrefixNeverRevealsMoreThanHalfOfTheSecret() {
        final Redactor generous = new Redactor(List.of(RedactionPattern.of("pin", "pin=(?<secret>\\d+)", 10,
                List.of("pin="))));

        assertThat(generous.redact("pin=123456")).isEqualTo("pin=123****");
    }

    @Test
    void aBrokenConfiguredRegexIsRejectedNamingThePattern() {
        assertThatThrownBy(() -> RedactionPattern.of("broken", "sk-(unclosed", 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redaction pattern 'broken': Unclosed group");
    }
}
