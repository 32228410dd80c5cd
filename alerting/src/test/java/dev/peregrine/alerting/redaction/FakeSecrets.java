package dev.peregrine.alerting.redaction;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fake secret of every kind the default patterns know, inside the text it would be seen in
 * (a command line, a URL, memory contents). Each value is glued from pieces so that secret
 * scanners reading this repository do not take the fixtures for leaked credentials.
 */
final class FakeSecrets {

    /**
     * @param kind     the pattern that must mask it
     * @param text     where the secret is seen
     * @param redacted {@code text} after redaction
     * @param needles  parts of the secret that must never reach a sink (what remains after the kept prefix)
     */
    record Case(String kind, String text, String redacted, List<String> needles) {
        @Override
        public String toString() {
            return kind;
        }
    }

    private static final String AWS = "AKIA" + "Q3FAKEEXAMPLE7QZ";
    private static final String GITHUB = "ghp_" + "FAKEr8Yq2Lm9Xv4Tn6Wb1Kc3Pd5Hs7Jf0AeZ";
    private static final String GITHUB_PAT = "github_pat_" + "11FAKE0Q9zY8x7W6v5U4t3_s2R1q0P9o8N7m6L5k4J3i2H1g0F9e8D7c";
    private static final String SLACK = "xoxb-" + "1234567890-0987654321-FAKEslackQ7w8e9r0";
    private static final String ANTHROPIC = "sk-ant-" + "api03-FAKEanthropicK3y9x8w7v6u5t4s3r2q1p0";
    private static final String OPENAI = "sk-" + "proj-FAKEopenai4Q9z8y7x6w5v4u3t2";
    private static final String GOOGLE = "AIza" + "SyFAKEgoogle0123456789abcdefghijklm";
    private static final String STRIPE = "sk_live_" + "51FAKEstripeR2d2C3po0000";
    private static final String JWT = "eyJ" + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiJGQUtFYWdlbnQifQ.FAKEsig0Ryq3uKxW9mZ4";
    private static final String PEM_BODY = "MIIEowIBAAKCAQEAFAKEkeyBODYline1qz8\nFAKEkeyBODYline2Wv5Xc7Bn";

    static final List<Case> ALL = List.of(
            new Case("aws_access_key_id", "aws configure set aws_access_key_id " + AWS,
                    "aws configure set aws_access_key_id AKIA****", List.of("Q3FAKEEXAMPLE7QZ")),
            new Case("github_token", "GH_TOKEN=" + GITHUB + " gh pr create --base main",
                    "GH_TOKEN=ghp_**** gh pr create --base main", List.of("FAKEr8Yq2Lm9Xv4Tn6Wb1Kc3Pd5Hs7Jf0AeZ")),
            new Case("github_fine_grained_token", "git push https://" + GITHUB_PAT + "@github.com/acme/app.git",
                    "git push https://github_pat_****@github.com/acme/app.git", List.of("11FAKE0Q9zY8x7W6v5U4t3")),
            new Case("slack_token", "curl -d token=" + SLACK + " https://slack.com/api/chat.postMessage",
                    "curl -d token=xoxb-**** https://slack.com/api/chat.postMessage", List.of("FAKEslackQ7w8e9r0")),
            new Case("anthropic_key", "export ANTHROPIC_API_KEY=" + ANTHROPIC,
                    "export ANTHROPIC_API_KEY=sk-ant-****", List.of("FAKEanthropicK3y9x8w7v6u5t4s3r2q1p0")),
            new Case("openai_key", "python -c \"openai.api_key = '" + OPENAI + "'\"",
                    "python -c \"openai.api_key = 'sk-****'\"", List.of("FAKEopenai4Q9z8y7x6w5v4u3t2")),
            new Case("google_api_key", "curl https://maps.googleapis.com/maps/api/geocode/json?key=" + GOOGLE,
                    "curl https://maps.googleapis.com/maps/api/geocode/json?key=AIza****",
                    List.of("SyFAKEgoogle0123456789abcdefghijklm")),
            new Case("stripe_key", "stripe charges list --api-key " + STRIPE,
                    "stripe charges list --api-key sk_live_****", List.of("51FAKEstripeR2d2C3po0000")),
            new Case("jwt", "session cookie " + JWT + " replayed",
                    "session cookie eyJ**** replayed", List.of("hbGciOiJIUzI1NiJ9", "FAKEsig0Ryq3uKxW9mZ4")),
            new Case("secret_assignment", "mysql --password=Hunter2FAKEpw -h db.internal",
                    "mysql --password=**** -h db.internal", List.of("Hunter2FAKEpw")),
            new Case("url_password", "psql postgres://app:S3cr3tFAKEpg@db.internal:5432/orders",
                    "psql postgres://app:****@db.internal:5432/orders", List.of("S3cr3tFAKEpg")),
            new Case("private_key", "memory: -----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY
                    + "\n-----END RSA PRIVATE KEY----- saved",
                    "memory: -----BEGIN RSA PRIVATE KEY-----****-----END RSA PRIVATE KEY----- saved",
                    List.of("FAKEkeyBODYline1qz8", "FAKEkeyBODYline2Wv5Xc7Bn")),
            new Case("authorization_header", "curl -H 'Authorization: Bearer FAKEbearer0a1b2c3d4e5f' https://api.acme.dev",
                    "curl -H 'Authorization: Bearer ****' https://api.acme.dev", List.of("FAKEbearer0a1b2c3d4e5f")),
            new Case("secret_flag", "vault login --token FAKEvault9s8d7f6g",
                    "vault login --token ****", List.of("FAKEvault9s8d7f6g")),
            new Case("secret_assignment", "{\"note\":\"db\",\"password\": \"correct horse FAKE battery\"}",
                    "{\"note\":\"db\",\"password\": \"****\"}", List.of("correct horse FAKE battery", "horse")));

    private FakeSecrets() {
    }

    /** An alert carrying {@code secret} in its output, in the command line and in a memory field. */
    static Alert alertCarrying(final Case secret, final int number) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", "ci-runner");
        fields.put("proc.cmdline", secret.text());
        fields.put("proc.pid", 4242L);
        fields.put("memory.content", secret.text());
        fields.put("http.url", secret.text());
        final long time = 1_795_000_000_000_000_000L + number * 1_000_000_000L;
        return new Alert(Alert.deterministicId("secret_in_trace", "s-1", time), time, "secret_in_trace",
                "Secret seen in a trace", Priority.WARNING, "agent", "node-a", List.of("secrets"),
                "Secret seen (cmdline=" + secret.text() + ")", fields, "ci-runner", "s-1", 1, time, time);
    }
}
