package dev.stowage.trust.signing;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** A project's root CA: it issues the code-signing leaf of each of the project's managed keys. */
public record ProjectRoot(String project, PrivateKey privateKey, X509Certificate certificate, Instant createdAt) {
    @Override
    public String toString() {
        return "ProjectRoot[" + project + ", " + certificate.getSubjectX500Principal() + ", private key withheld]";
    }
}
