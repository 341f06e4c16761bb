package dev.stowage.signatures;

import java.util.List;

/**
 * What a verification trusts: the project's policy and the Sigstore trusted roots (Fulcio CAs, Rekor and CT log keys)
 * an administrator installed, which keyless identities are checked against offline.
 */
public record TrustMaterial(TrustPolicy policy, List<SigstoreTrustedRoot> sigstoreRoots) {
    public TrustMaterial {
        sigstoreRoots = List.copyOf(sigstoreRoots);
    }
}
