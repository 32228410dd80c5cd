package dev.peregrine.app.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates for 127.0.0.1 made the way an operator makes one without OpenSSL:
 * {@code keytool -genkeypair} into a PKCS#12 keystore, then written out as the PEM certificate
 * and PKCS#8 key the endpoint reads.
 */
public record TestCertificates(Path keystore, String password, Path certificate, Path privateKey) {

    /** A new key pair of {@code algorithm} (EC or RSA) for CN=localhost, IP 127.0.0.1, in {@code dir/name.*}. */
    public static TestCertificates generate(final Path dir, final String name, final String algorithm)
            throws IOException, InterruptedException, GeneralSecurityException {
        final Path keystore = dir.resolve(name + ".p12");
        final String password = "changeit-" + name;
        final List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", algorithm, "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password));
        command.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        final Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        final PrivateKey key = (PrivateKey) store.getKey(name, password.toCharArray());
        final Certificate certificate = store.getCertificate(name);
        final Path certificateFile = Files.writeString(dir.resolve(name + ".crt.pem"),
                pem("CERTIFICATE", certificate.getEncoded()));
        final Path keyFile = Files.writeString(dir.resolve(name + ".key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        return new TestCertificates(keystore, password, certificateFile, keyFile);
    }

    /** A client context that trusts this certificate only, as {@code curl --cacert} would. */
    public SSLContext trustingClient() throws IOException, GeneralSecurityException {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("peregrine",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String pem(final String type, final byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
