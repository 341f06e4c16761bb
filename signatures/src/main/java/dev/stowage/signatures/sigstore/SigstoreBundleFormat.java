package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.RegistryException;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureFormat;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.TrustMaterial;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sigstore bundles (v0.1, v0.2, v0.3; protobuf-specs' {@code Bundle} in JSON) stored as OCI 1.1 referrers, the bundle
 * being the referrer's layer, as {@code cosign sign --new-bundle-format} and {@code sigstore attach} store them. The
 * content is a {@code messageSignature} (its {@code messageDigest} must be the manifest's digest: for an image, the
 * manifest is what is signed) or a {@code dsseEnvelope} (its in-toto statement must name the manifest). The signer is
 * a certificate (keyless: Fulcio, Rekor, identity, as {@link Verification} says) or a public key, whose hint is not
 * trusted: a key of the policy must verify the signature. Rekor entries count by their signed entry timestamp and/or
 * inclusion proof, but only the SET signs the integrated time, so a keyless signature needs one; RFC 3161 timestamps
 * and Rekor v2 entries (no integrated time) are not verified yet.
 */
public final class SigstoreBundleFormat implements SignatureFormat {
    /** The cosign v3 predicate type of an image signature made as a DSSE bundle: a signature, not an attestation. */
    static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    static final int MAX_TLOG_ENTRIES = 8;
    private static final Set<String> MEDIA_TYPES = Set.of(
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "application/vnd.dev.sigstore.bundle+json;version=0.3",
            "application/vnd.dev.sigstore.bundle.v0.3+json");

    @Override
    public boolean recognises(SignatureArtifact artifact) {
        return artifact.origin() == SignatureArtifact.Origin.REFERRER && artifact.artifactType() != null
                && artifact.artifactType().startsWith(SignatureMediaTypes.SIGSTORE_BUNDLE_PREFIX);
    }

    @Override
    public List<SignatureCheck> verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust, Instant now) {
        List<SignatureCheck> checks = new ArrayList<>();
        try {
            JsonNode manifest = Json.parse(artifact.manifest(), "referrer manifest");
            for (JsonNode layer : Json.array(manifest, "layers", "referrer manifest", Integer.MAX_VALUE)) {
                String mediaType = layer.path("mediaType").asText("");
                if (!mediaType.startsWith(SignatureMediaTypes.SIGSTORE_BUNDLE_PREFIX)) continue;
                if (checks.size() == SignatureArtifact.MAX_LAYERS) break;
                checks.add(layer(artifact, layer, subject, trust));
            }
        } catch (Rejected e) {
            return List.of(failed(artifact, e.getMessage()));
        }
        if (checks.isEmpty()) return List.of(failed(artifact, "referrer has no Sigstore bundle layer"));
        return List.copyOf(checks);
    }

    private static SignatureCheck layer(SignatureArtifact artifact, JsonNode layer, Digest subject, TrustMaterial trust) {
        Digest digest;
        try {
            digest = Digest.parse(layer.path("digest").asText(""));
        } catch (RegistryException e) {
            return failed(artifact, "malformed referrer manifest: bad layer digest");
        }
        byte[] bundle = artifact.blobs().get(digest);
        if (bundle == null) {
            return failed(artifact, "bundle blob " + digest + " is missing or larger than "
                    + SignatureArtifact.MAX_BLOB_BYTES / 1024 + " KiB");
        }
        if (!digest.matches(bundle)) return failed(artifact, "bundle blob does not match its digest");
        return verifyBundle(artifact.digest(), bundle, subject, trust);
    }

    /** Verifies one bundle's JSON as a signature of {@code subject}; public so a bundle can be checked on its own. */
    public static SignatureCheck verifyBundle(Digest artifact, byte[] bundle, Digest subject, TrustMaterial trust) {
        SignatureKind kind = SignatureKind.SIGSTORE_BUNDLE;
        try {
            String what = "bundle";
            JsonNode json = Json.parse(bundle, what);
            String mediaType = Json.text(json, "mediaType", what);
            if (!MEDIA_TYPES.contains(mediaType)) {
                throw Rejected.malformed(what + ": unknown bundle media type " + Fulcio.printable(mediaType));
            }
            JsonNode material = Json.object(json, "verificationMaterial", what);
            Optional<X509Certificate> certificate = certificate(material);
            Optional<Rekor.Entry> tlog = tlogEntry(material);
            Optional<JsonNode> message = Json.optionalObject(json, "messageSignature", what);
            Optional<JsonNode> envelope = Json.optionalObject(json, "dsseEnvelope", what);
            if (message.isPresent() == envelope.isPresent()) {
                throw Rejected.malformed(what + ": needs exactly one of messageSignature and dsseEnvelope");
            }
            if (message.isPresent()) {
                JsonNode messageDigest = Json.object(message.get(), "messageDigest", what + " messageSignature");
                String algorithm = Json.text(messageDigest, "algorithm", what + " messageDigest");
                byte[] signed = Json.base64(messageDigest, "digest", what + " messageDigest");
                if (!algorithm.equals("SHA2_256") || !subject.algorithm().equals(Digest.SHA256)) {
                    throw new Rejected("signed message digest is " + Fulcio.printable(algorithm) + ", not the manifest "
                            + subject);
                }
                if (!MessageDigest.isEqual(signed, HexFormat.of().parseHex(subject.hex()))) {
                    throw new Rejected("signed message digest names sha256:" + HexFormat.of().formatHex(signed)
                            + ", not the manifest " + subject);
                }
                byte[] signature = Json.base64(message.get(), "signature", what + " messageSignature");
                return Verification.check(kind, artifact, key -> Crypto.verifiesDigest(key, signed, signature),
                        certificate, tlog, new Rekor.Binding(signed, signature, certificate), trust);
            }
            Dsse dsse = Dsse.parse(envelope.get());
            if (!COSIGN_SIGN_PREDICATE.equals(dsse.predicateType())) kind = SignatureKind.IN_TOTO;
            dsse.checkStatementNames(subject);
            SignatureCheck first = null;
            for (byte[] signature : dsse.signatures()) {
                SignatureCheck check = Verification.check(kind, artifact,
                        key -> Crypto.verifies(key, dsse.pae(), signature), certificate, tlog,
                        new Rekor.Binding(Crypto.sha256(dsse.payload()), signature, certificate), trust);
                if (check.verified()) return check;
                if (first == null) first = check;
            }
            return first;
        } catch (Rejected e) {
            return SignatureCheck.failed(kind, artifact, Optional.empty(), e.getMessage());
        } catch (RuntimeException e) {
            // an unforeseen failure on hostile input is this signature's failure; the format must never throw
            return SignatureCheck.failed(kind, artifact, Optional.empty(),
                    "could not be verified: " + e.getClass().getSimpleName());
        }
    }

    /** v0.3's single {@code certificate}, or the leaf of v0.1/v0.2's {@code x509CertificateChain}; none for a key. */
    private static Optional<X509Certificate> certificate(JsonNode material) throws Rejected {
        String what = "bundle verificationMaterial";
        Optional<JsonNode> single = Json.optionalObject(material, "certificate", what);
        if (single.isPresent()) return Optional.of(Crypto.certificate(Json.base64(single.get(), "rawBytes", what), what));
        Optional<JsonNode> chain = Json.optionalObject(material, "x509CertificateChain", what);
        if (chain.isPresent()) {
            JsonNode certificates = Json.array(chain.get(), "certificates", what + " x509CertificateChain", Crypto.MAX_CHAIN);
            if (certificates.isEmpty()) throw Rejected.malformed(what + ": empty x509CertificateChain");
            return Optional.of(Crypto.certificate(Json.base64(certificates.get(0), "rawBytes", what), what));
        }
        if (Json.optionalObject(material, "publicKey", what).isPresent()) return Optional.empty();
        throw Rejected.malformed(what + ": neither a certificate nor a public key");
    }

    private static Optional<Rekor.Entry> tlogEntry(JsonNode material) throws Rejected {
        String what = "bundle tlogEntries";
        if (!material.has("tlogEntries")) return Optional.empty();
        JsonNode entries = Json.array(material, "tlogEntries", "bundle verificationMaterial", MAX_TLOG_ENTRIES);
        if (entries.isEmpty()) return Optional.empty();
        JsonNode entry = entries.get(0);
        if (!entry.isObject()) throw Rejected.malformed(what + ": an entry is not an object");
        long logIndex = Json.integer(entry, "logIndex", what);
        byte[] logId = Json.base64(Json.object(entry, "logId", what), "keyId", what);
        long integratedTime = entry.has("integratedTime") ? Json.integer(entry, "integratedTime", what) : 0;
        byte[] body = Json.base64(entry, "canonicalizedBody", what);
        Optional<byte[]> set = Optional.empty();
        Optional<JsonNode> promise = Json.optionalObject(entry, "inclusionPromise", what);
        if (promise.isPresent()) set = Optional.of(Json.base64(promise.get(), "signedEntryTimestamp", what));
        Optional<Rekor.InclusionProof> proof = Optional.empty();
        Optional<JsonNode> inclusion = Json.optionalObject(entry, "inclusionProof", what);
        if (inclusion.isPresent()) {
            JsonNode p = inclusion.get();
            List<byte[]> hashes = new ArrayList<>();
            for (JsonNode hash : Json.array(p, "hashes", what + " inclusionProof", Rekor.MAX_PROOF_HASHES)) {
                if (!hash.isTextual()) throw Rejected.malformed(what + ": inclusion proof hash is not a string");
                hashes.add(Json.base64(hash.textValue(), what + " inclusionProof hash"));
            }
            String checkpoint = Json.text(Json.object(p, "checkpoint", what + " inclusionProof"), "envelope", what);
            proof = Optional.of(new Rekor.InclusionProof(Json.integer(p, "logIndex", what),
                    Json.integer(p, "treeSize", what), Json.base64(p, "rootHash", what), hashes, checkpoint));
        }
        if (integratedTime == 0) {
            throw new Rejected("Rekor entry has no integrated time (Rekor v2 entries need an RFC 3161 timestamp, "
                    + "which is not verified yet)");
        }
        return Optional.of(new Rekor.Entry(body, integratedTime, logIndex, logId, set, proof));
    }

    private static SignatureCheck failed(SignatureArtifact artifact, String reason) {
        return SignatureCheck.failed(SignatureKind.SIGSTORE_BUNDLE, artifact.digest(), Optional.empty(), reason);
    }
}
