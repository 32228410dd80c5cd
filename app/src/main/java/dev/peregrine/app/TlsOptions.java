package dev.peregrine.app;

import dev.peregrine.app.config.TlsIdentity;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --tls-cert}/{@code --tls-key}: HTTPS on the HTTP endpoint of run and of the distributed commands. */
final class TlsOptions {

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = {"Serve HTTPS (TLS 1.3/1.2) with this PEM certificate chain; needs --tls-key. Default: "
                    + "http.tls of the config file, else plain HTTP."})
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM (PKCS#8) private key of --tls-cert.")
    Path privateKey;

    /** Whether either option was given (then they win over the config file's http.tls). */
    boolean given() {
        return certificate != null || privateKey != null;
    }

    /** The identity of the two files: both or neither; a file that cannot be used is a usage error naming it. */
    TlsIdentity identity() {
        if (certificate == null || privateKey == null) {
            throw new UsageException("--tls-cert and --tls-key go together: give both, or http.tls in the config file");
        }
        try {
            return TlsIdentity.fromPem(certificate, privateKey);
        } catch (final TlsIdentity.UnusableFile e) {
            throw new UsageException((e.part() == TlsIdentity.Part.CERTIFICATE ? "--tls-cert: " : "--tls-key: ")
                    + e.getMessage());
        }
    }
}
