package dev.stowage.signatures;

/** The signature and attestation formats Stowage recognises, by the name the API shows. */
public enum SignatureKind {
    /** cosign's tag scheme: a {@code sha256-<hex>.sig} manifest whose layers are simple-signing payloads. */
    COSIGN("cosign"),
    /** A Sigstore bundle (v0.1-v0.3) stored as an OCI 1.1 referrer ({@code application/vnd.dev.sigstore.bundle...}). */
    SIGSTORE_BUNDLE("sigstore-bundle"),
    /** A Notation signature referrer with a JWS envelope. */
    NOTATION_JWS("notation-jws"),
    /** A Notation signature referrer with a COSE_Sign1 envelope. */
    NOTATION_COSE("notation-cose"),
    /** An in-toto attestation in a DSSE envelope (cosign's {@code .att} tag or a referrer). */
    IN_TOTO("in-toto");

    private final String apiName;

    SignatureKind(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() { return apiName; }

    /** The kind an artifact most likely carries, from how it is stored alone (for a failure before its content is read). */
    public static SignatureKind likelyOf(SignatureArtifact artifact) {
        String type = artifact.artifactType() == null ? "" : artifact.artifactType();
        if (type.startsWith(SignatureMediaTypes.SIGSTORE_BUNDLE_PREFIX)) return SIGSTORE_BUNDLE;
        if (type.equals(SignatureMediaTypes.NOTATION_SIGNATURE)) return NOTATION_JWS;
        if (type.equals(SignatureMediaTypes.DSSE_ENVELOPE) || type.equals(SignatureMediaTypes.IN_TOTO)) return IN_TOTO;
        return COSIGN;
    }

    /** Attestations say something about the image; they never count as its signature. */
    public boolean attestation() { return this == IN_TOTO; }
}
