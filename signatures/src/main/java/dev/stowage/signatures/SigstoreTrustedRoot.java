package dev.stowage.signatures;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Sigstore trusted root as its {@code trusted_root.json} (media type
 * {@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}) describes it: certificate authorities (Fulcio),
 * transparency logs (Rekor) and CT logs, each with the period it was valid for. Installed by an administrator, so
 * keyless signatures verify offline.
 */
public record SigstoreTrustedRoot(String name, List<CertificateAuthority> certificateAuthorities,
                                  List<TransparencyLog> transparencyLogs, List<TransparencyLog> ctLogs) {
    public SigstoreTrustedRoot {
        certificateAuthorities = List.copyOf(certificateAuthorities);
        transparencyLogs = List.copyOf(transparencyLogs);
        ctLogs = List.copyOf(ctLogs);
    }

    /** A CA's chain (leaf-most first, root last) and when it issued. */
    public record CertificateAuthority(String uri, List<X509Certificate> chain, Instant validFrom,
                                       Optional<Instant> validUntil) {}

    /** A log's key, its id (SHA-256 of the key's DER) and when it was in use. */
    public record TransparencyLog(String baseUrl, byte[] logId, PublicKey key, Instant validFrom,
                                  Optional<Instant> validUntil) {}
}
