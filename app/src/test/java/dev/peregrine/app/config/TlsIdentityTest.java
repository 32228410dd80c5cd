package dev.peregrine.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {

    @TempDir
    Path dir;

    @Test
    void aPemCertificateAndItsPkcs8KeyMakeAServerContextForRsaAndEc() throws Exception {
        for (final String algorithm : new String[] {"EC", "RSA"}) {
            final TestCertificates pair = TestCertificates.generate(dir, "server-" + algorithm, algorithm);

            final TlsIdentity identity = TlsIdentity.fromPem(pair.certificate(), pair.privateKey());

            assertThat(identity.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            assertThat(identity.sslContext().getProtocol()).isEqualTo("TLS");
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        final TestCertificates one = TestCertificates.generate(dir, "one", "EC");
        final TestCertificates other = TestCertificates.generate(dir, "other", "EC");

        final TlsIdentity.UnusableFile refused = catchThrowableOfType(
                () -> TlsIdentity.fromPem(one.certificate(), other.privateKey()), TlsIdentity.UnusableFile.class);

        assertThat(refused.part()).isEqualTo(TlsIdentity.Part.PRIVATE_KEY);
        assertThat(refused.getMessage()).contains(other.privateKey().toString(), "is not the private key of",
                one.certificate().toString(), "CN=localhost");
    }

    @Test
    void missingFilesPkcs1KeysAndNonPemFilesAreRefusedWithWhatToDo() throws Exception {
        final TestCertificates pair = TestCertificates.generate(dir, "pair", "EC");
        final Path pkcs1 = Files.writeString(dir.resolve("rsa.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n");
        final Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");

        assertThat(catchThrowableOfType(() -> TlsIdentity.fromPem(dir.resolve("absent.pem"), pair.privateKey()),
                TlsIdentity.UnusableFile.class)).satisfies(e -> {
                    assertThat(e.part()).isEqualTo(TlsIdentity.Part.CERTIFICATE);
                    assertThat(e.getMessage()).endsWith("absent.pem: no such file");
                });
        assertThat(catchThrowableOfType(() -> TlsIdentity.fromPem(pair.certificate(), pkcs1),
                TlsIdentity.UnusableFile.class).getMessage())
                .contains("holds a RSA PRIVATE KEY", "openssl pkcs8 -topk8 -nocrypt -in rsa.pem");
        assertThat(catchThrowableOfType(() -> TlsIdentity.fromPem(text, pair.privateKey()),
                TlsIdentity.UnusableFile.class).part()).isEqualTo(TlsIdentity.Part.CERTIFICATE);
        assertThat(catchThrowableOfType(() -> TlsIdentity.fromPem(pair.certificate(), text),
                TlsIdentity.UnusableFile.class).getMessage()).contains("holds no private key");
    }

    @Test
    void aPkcs12KeystoreOpensWithItsPasswordAndNotWithAnother() throws Exception {
        final TestCertificates pair = TestCertificates.generate(dir, "store", "EC");

        assertThat(TlsIdentity.fromKeystore(pair.keystore(), pair.password().toCharArray()).certificate()
                .getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        final TlsIdentity.UnusableFile refused = catchThrowableOfType(
                () -> TlsIdentity.fromKeystore(pair.keystore(), "wrong".toCharArray()), TlsIdentity.UnusableFile.class);
        assertThat(refused.part()).isEqualTo(TlsIdentity.Part.KEYSTORE);
        assertThat(refused.getMessage()).contains("store.p12", "password");
    }
}
