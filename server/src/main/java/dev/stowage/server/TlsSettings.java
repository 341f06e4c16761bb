package dev.stowage.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS from PEM files. {@code keyPassword} decrypts an encrypted key. With {@code clientCa}, clients present
 * certificates signed by it: required when {@code requireClientCertificate}, else optional (mutual TLS).
 */
public record TlsSettings(Path certificate, Path key, Optional<String> keyPassword, Optional<Path> clientCa,
                          boolean requireClientCertificate) {

    /** A key that is not encrypted. */
    public TlsSettings(Path certificate, Path key, Optional<Path> clientCa, boolean requireClientCertificate) {
        this(certificate, key, Optional.empty(), clientCa, requireClientCertificate);
    }

    @Override
    public String toString() {
        return "TlsSettings[certificate=" + certificate + ", key=" + key + ", keyPassword="
                + (keyPassword.isPresent() ? "(set)" : "(none)") + ", clientCa=" + clientCa
                + ", requireClientCertificate=" + requireClientCertificate + "]";
    }
}
