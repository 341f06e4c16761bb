package dev.stowage.signatures.sigstore;

import dev.stowage.signatures.SignatureFormat;

import java.util.List;

/** The Sigstore formats, for composing a {@link dev.stowage.signatures.SignatureVerifier}. */
public final class SigstoreFormats {
    private SigstoreFormats() {}

    /** cosign's tag scheme (signatures and {@code .att} attestations), then Sigstore bundles as OCI 1.1 referrers. */
    public static List<SignatureFormat> all() {
        return List.of(new CosignFormat(), new SigstoreBundleFormat());
    }
}
