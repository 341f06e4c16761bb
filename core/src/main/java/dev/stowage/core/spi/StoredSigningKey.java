package dev.stowage.core.spi;

import java.time.Instant;

/**
 * A token signing key as every node shares it: its id, the key as a private JWK (JSON), when it was made and,
 * once rotated out, when it was retired. Keys live in the metadata database so that a token issued by one node
 * verifies on every other.
 */
public record StoredSigningKey(String keyId, String privateJwk, Instant createdAt, Instant retiredAt) {
    @Override
    public String toString() {
        return "StoredSigningKey[keyId=" + keyId + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
    }
}
