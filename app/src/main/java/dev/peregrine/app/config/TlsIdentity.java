package dev.peregrine.app.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The certificate and private key the HTTP endpoint presents over TLS, read from PEM files
 * (a certificate chain and a PKCS#8 key, RSA, EC or Ed25519) or from a PKCS#12 keystore, and
 * checked to belong together when read: a key that does not match its certificate would only
 * show as failed handshakes later, so it is refused at start-up with the file named.
 */
public final class TlsIdentity {

    /** TLS versions the endpoint speaks; older ones have known weaknesses. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final char[] IN_MEMORY_PASSWORD = "peregrine".toCharArray();

    private final KeyStore keyStore;
    private final char[] keyPassword;
    private final X509Certificate certificate;

    /** Which file a {@link UnusableFile} is about. */
    public enum Part { CERTIFICATE, PRIVATE_KEY, KEYSTORE }

    /** A TLS file that cannot be used: which one, and why in one line that starts with its path. */
    public static final class UnusableFile extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final Part part;

        UnusableFile(final Part part, final String message, final Throwable cause) {
            super(message, cause);
            this.part = part;
        }

        /** The file at fault. */
        public Part part() {
            return part;
        }
    }

    private TlsIdentity(final KeyStore keyStore, final char[] keyPassword, final X509Certificate certificate) {
        this.keyStore = keyStore;
        this.keyPassword = keyPassword.clone();
        this.certificate = certificate;
    }

    /**
     * Reads a PEM certificate chain (the server's certificate first) and a PEM PKCS#8 private key.
     *
     * @throws UnusableFile one line saying which file is not usable and why
     */
    public static TlsIdentity fromPem(final Path certificateFile, final Path privateKeyFile) {
        final List<X509Certificate> chain = certificates(certificateFile);
        final PrivateKey key = privateKey(privateKeyFile);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new UnusableFile(Part.PRIVATE_KEY, privateKeyFile + " is not the private key of the certificate in "
                    + certificateFile + " (" + chain.get(0).getSubjectX500Principal().getName() + ")", null);
        }
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("peregrine", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
            return new TlsIdentity(store, IN_MEMORY_PASSWORD, chain.get(0));
        } catch (final GeneralSecurityException | IOException e) {
            throw new UnusableFile(Part.PRIVATE_KEY, certificateFile + ": cannot hold this certificate and key: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads a PKCS#12 keystore holding one private key entry and its certificate chain; the
     * keystore's password also opens the key, as {@code openssl pkcs12 -export} and
     * {@code keytool -genkeypair} write them.
     *
     * @throws UnusableFile one line saying why the keystore is not usable
     */
    public static TlsIdentity fromKeystore(final Path keystoreFile, final char[] password) {
        final KeyStore store;
        try (InputStream in = Files.newInputStream(keystoreFile)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (final NoSuchFileException e) {
            throw new UnusableFile(Part.KEYSTORE, keystoreFile + ": no such file", e);
        } catch (final IOException e) {
            final boolean badPassword = e.getCause() instanceof java.security.UnrecoverableKeyException;
            throw new UnusableFile(Part.KEYSTORE, keystoreFile + (badPassword ? ": wrong keystore password"
                    : ": not a readable PKCS#12 keystore (" + e.getMessage() + ")"), e);
        } catch (final GeneralSecurityException e) {
            throw new UnusableFile(Part.KEYSTORE, keystoreFile + ": not a readable PKCS#12 keystore ("
                    + e.getMessage() + ")", e);
        }
        try {
            final List<String> keys = new ArrayList<>();
            for (final String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw new UnusableFile(Part.KEYSTORE, keystoreFile + ": holds " + keys.size()
                        + " private keys; the endpoint needs exactly one", null);
            }
            final Key key = store.getKey(keys.get(0), password);
            final Certificate first = store.getCertificate(keys.get(0));
            if (!(key instanceof PrivateKey) || !(first instanceof X509Certificate x509)) {
                throw new UnusableFile(Part.KEYSTORE, keystoreFile + ": entry '" + keys.get(0)
                        + "' is not a private key with an X.509 certificate", null);
            }
            return new TlsIdentity(store, password, x509);
        } catch (final GeneralSecurityException e) {
            throw new UnusableFile(Part.KEYSTORE, keystoreFile + ": the key does not open with the keystore password ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The endpoint's certificate (its subject and validity go into the start-up log). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A server-side context presenting this identity; the endpoint restricts it to {@link #PROTOCOLS}. */
    public SSLContext sslContext() {
        try {
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, keyPassword);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("a checked key store no longer opens: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate.getSubjectX500Principal().getName() + "]";
    }

    private static List<X509Certificate> certificates(final Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            final List<X509Certificate> chain = new ArrayList<>();
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new UnusableFile(Part.CERTIFICATE, file + ": holds no certificate (expected -----BEGIN "
                        + "CERTIFICATE-----)", null);
            }
            return chain;
        } catch (final NoSuchFileException e) {
            throw new UnusableFile(Part.CERTIFICATE, file + ": no such file", e);
        } catch (final IOException e) {
            throw new UnusableFile(Part.CERTIFICATE, file + ": cannot be read: " + e.getMessage(), e);
        } catch (final CertificateException e) {
            throw new UnusableFile(Part.CERTIFICATE, file + ": not a PEM certificate (" + e.getMessage() + ")", e);
        }
    }

    private static PrivateKey privateKey(final Path file) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (final NoSuchFileException e) {
            throw new UnusableFile(Part.PRIVATE_KEY, file + ": no such file", e);
        } catch (final IOException e) {
            throw new UnusableFile(Part.PRIVATE_KEY, file + ": cannot be read: " + e.getMessage(), e);
        }
        final Matcher block = PEM.matcher(text);
        while (block.find()) {
            final String type = block.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(file, Base64.getMimeDecoder().decode(block.group(2)));
            }
            if (type.endsWith("PRIVATE KEY")) {
                // PKCS#1 (RSA PRIVATE KEY), SEC1 (EC PRIVATE KEY) or encrypted PKCS#8: the JDK reads none
                throw new UnusableFile(Part.PRIVATE_KEY, file + ": holds a " + type + "; convert it to an unencrypted "
                        + "PKCS#8 key with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem", null);
            }
        }
        throw new UnusableFile(Part.PRIVATE_KEY, file + ": holds no private key (expected "
                + "-----BEGIN PRIVATE KEY-----)", null);
    }

    /** A PKCS#8 key of whichever algorithm parses it. */
    private static PrivateKey pkcs8(final Path file, final byte[] der) {
        for (final String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (final InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm: try the next
            }
        }
        throw new UnusableFile(Part.PRIVATE_KEY, file + ": not an RSA, EC or Ed25519 PKCS#8 private key", null);
    }

    /** Whether {@code key} signs what {@code publicKey} verifies: the one check that holds for every algorithm. */
    private static boolean matches(final PrivateKey key, final PublicKey publicKey) {
        final String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            final byte[] probe = "peregrine tls key check".getBytes(StandardCharsets.US_ASCII);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (final GeneralSecurityException e) {
            return false; // a key of another algorithm than the certificate's cannot verify
        }
    }
}
