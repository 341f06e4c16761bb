package dev.stowage.signatures;

import java.util.Optional;

/**
 * Who made a signature, as far as its material says: the public key's id (SHA-256 of its SubjectPublicKeyInfo, hex)
 * always; the certificate's subject and issuer when it came with one; for Sigstore keyless certificates the OIDC
 * issuer and the identity (the certificate's SAN: an email, a URI of a CI workflow).
 */
public record Signer(String keyId, Optional<String> certificateSubject, Optional<String> certificateIssuer,
                     Optional<String> oidcIssuer, Optional<String> identity) {
    public static Signer key(String keyId) {
        return new Signer(keyId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
