package dev.stowage.trust.signing;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One of a project's managed signing keys as anyone may see it: its public key, its Notation certificate chain (the
 * code-signing leaf, then the project's root CA), whether it signs now ({@link State#ACTIVE}) or only still verifies
 * ({@link State#RETIRED}), and when. {@code id} is the SHA-256 (hex) of the public key's SubjectPublicKeyInfo, the key
 * id verification results name signers by. The private key is never part of this.
 */
public record ManagedKey(String id, String project, State state, PublicKey publicKey, List<X509Certificate> chain,
                         Instant createdAt, Optional<Instant> retiredAt) {
    public enum State { ACTIVE, RETIRED }

    public ManagedKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("a managed key has its certificate chain");
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public X509Certificate root() {
        return chain.getLast();
    }
}
