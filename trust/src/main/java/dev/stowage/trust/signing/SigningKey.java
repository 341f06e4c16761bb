package dev.stowage.trust.signing;

import java.security.PrivateKey;

/**
 * A managed key with its private half, as the signer uses it. It lives only in this process: no route returns it, no
 * log prints it (its {@code toString} names the key id alone), and the store keeps it sealed.
 */
public record SigningKey(ManagedKey key, PrivateKey privateKey) {
    @Override
    public String toString() {
        return "SigningKey[" + key.id() + " of " + key.project() + ", private key withheld]";
    }
}
