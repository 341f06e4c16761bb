package dev.stowage.signatures.notation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.RegistryException;
import dev.stowage.core.manifest.ManifestParser;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureFormat;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.Signer;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy.X509TrustStore;
import dev.stowage.signatures.TrustPolicy.X509TrustStoreType;
import dev.stowage.signatures.notation.NotationEnvelope.Refusal;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Notation signatures: OCI 1.1 referrers with artifactType {@code application/vnd.cncf.notary.signature} whose one layer
 * is a JWS ({@code application/jose+json}) or COSE ({@code application/cose}) envelope. Verified as the Notary Project's
 * signing-and-verification-workflow.md says for the "strict" level, against the policy's X.509 trust stores:
 * <ol>
 *   <li>integrity: the envelope parses, its signed attributes follow the specification (no unknown critical header),
 *   {@code alg} is the one the signing certificate's key implies and the signature verifies with that key;</li>
 *   <li>the payload's {@code targetArtifact.digest} is the manifest being verified;</li>
 *   <li>the chain meets the code-signing certificate requirements and is valid at the signing time;</li>
 *   <li>authenticity: a certificate of the chain is in a trust store, and the leaf's subject is one of that store's
 *   trusted identities;</li>
 *   <li>expiry: the signed {@code io.cncf.notary.expiry} has not passed;</li>
 *   <li>authentic timestamp: under {@code notary.x509}, with no verified RFC 3161 timestamp, the chain must be valid now;
 *   under {@code notary.x509.signingAuthority} the authentic signing time already decided it.</li>
 * </ol>
 * Timestamp countersignatures are not verified (so a timestamped signature is held to the stricter "valid now" rule) and
 * revocation (OCSP, CRL) is not checked: both need the network, which verification on push and pull must not wait for.
 */
public final class NotationFormat implements SignatureFormat {

    @Override
    public boolean recognises(SignatureArtifact artifact) {
        return artifact.origin() == SignatureArtifact.Origin.REFERRER
                && SignatureMediaTypes.NOTATION_SIGNATURE.equals(artifact.artifactType());
    }

    @Override
    public List<SignatureCheck> verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust, Instant now) {
        SignatureKind kind = SignatureKind.NOTATION_JWS;
        Optional<Signer> signer = Optional.empty();
        try {
            ParsedManifest manifest = parseManifest(artifact);
            if (manifest.subject().isPresent() && !manifest.subject().get().digest().equals(subject)) {
                throw new Refusal("the signature manifest's subject is " + manifest.subject().get().digest()
                        + ", not the manifest " + subject);
            }
            // the parser lists the config first, then the layers
            List<Descriptor> layers = manifest.blobs().subList(manifest.config().isPresent() ? 1 : 0,
                    manifest.blobs().size());
            if (layers.size() != 1) {
                throw new Refusal("a Notation signature manifest has exactly one layer, this one has " + layers.size());
            }
            Descriptor layer = layers.getFirst();
            kind = switch (layer.mediaType()) {
                case SignatureMediaTypes.JWS_ENVELOPE -> SignatureKind.NOTATION_JWS;
                case SignatureMediaTypes.COSE_ENVELOPE -> SignatureKind.NOTATION_COSE;
                default -> throw new Refusal("the envelope's media type " + NotationEnvelope.quote(layer.mediaType())
                        + " is neither application/jose+json nor application/cose");
            };
            byte[] bytes = artifact.blobs().get(layer.digest());
            if (bytes == null || layer.size() > SignatureArtifact.MAX_BLOB_BYTES) {
                throw new Refusal("the envelope " + layer.digest() + " (" + layer.size()
                        + " bytes) is missing or larger than " + SignatureArtifact.MAX_BLOB_BYTES + " bytes");
            }
            if (bytes.length > SignatureArtifact.MAX_BLOB_BYTES || !layer.digest().matches(bytes)) {
                throw new Refusal("the envelope's bytes do not match its digest " + layer.digest());
            }
            NotationEnvelope envelope = kind == SignatureKind.NOTATION_JWS
                    ? JwsEnvelopes.parse(bytes) : CoseEnvelopes.parse(bytes);
            List<X509Certificate> chain = CodeSigningChain.parse(envelope.chain());
            X509Certificate leaf = chain.getFirst();
            signer = Optional.of(signerOf(leaf));
            return List.of(verify(artifact, envelope, chain, subject, trust, now, signer.get()));
        } catch (Refusal refusal) {
            return List.of(SignatureCheck.failed(kind, artifact.digest(), signer, refusal.getMessage()));
        } catch (RuntimeException e) {
            // a parser's unforeseen failure on hostile input is this signature's failure, never the caller's
            return List.of(SignatureCheck.failed(kind, artifact.digest(), signer,
                    "could not be verified: " + e.getClass().getSimpleName()));
        }
    }

    private static SignatureCheck verify(SignatureArtifact artifact, NotationEnvelope envelope,
                                         List<X509Certificate> chain, Digest subject, TrustMaterial trust,
                                         Instant now, Signer signer) throws Refusal {
        X509Certificate leaf = chain.getFirst();
        NotationAlgorithm keyAlgorithm = NotationAlgorithm.forKey(leaf.getPublicKey()).orElseThrow(() -> new Refusal(
                "the signing certificate's key (" + NotationAlgorithm.describe(leaf.getPublicKey())
                        + ") is not one Notation allows (RSA 2048/3072/4096, EC P-256/384/521)"));
        if (keyAlgorithm != envelope.algorithm()) {
            throw new Refusal("the envelope says " + envelope.algorithm().jwsName() + " but the signing certificate's "
                    + NotationAlgorithm.describe(leaf.getPublicKey()) + " key signs with " + keyAlgorithm.jwsName());
        }
        if (!envelope.algorithm().verify(leaf.getPublicKey(), envelope.signedBytes(), envelope.signature())) {
            throw new Refusal("the signature does not verify with the signing certificate's key: the envelope was altered");
        }
        Digest signed = signedDigest(envelope.payload());
        if (!signed.equals(subject)) {
            throw new Refusal("signed payload names " + signed + " not the manifest " + subject);
        }
        CodeSigningChain.check(chain, envelope.signingTime());

        // notation-go's loadX509TrustStores: the scheme picks the store type. A signingAuthority signature's signing
        // time is believed, so a signer trusted only through a ca store must not pick that scheme to backdate itself.
        X509TrustStoreType storeType = envelope.signingScheme().equals(NotationEnvelope.SCHEME_SIGNING_AUTHORITY)
                ? X509TrustStoreType.SIGNING_AUTHORITY : X509TrustStoreType.CA;
        List<X509TrustStore> stores = trust.policy().trustStores().stream().filter(s -> s.type() == storeType).toList();
        if (stores.isEmpty()) {
            throw new Refusal("the trust policy has no " + storeType.policyName() + " trust store for "
                    + envelope.signingScheme() + " signatures");
        }
        String identityRefusal = null;
        X509TrustStore trustedBy = null;
        String identity = null;
        for (X509TrustStore store : stores) {
            if (!leadsTo(chain, store)) continue;
            TrustedIdentities.Match match = TrustedIdentities.match(store.trustedIdentities(), leaf, store.name());
            if (match.trusted()) {
                trustedBy = store;
                identity = match.reason();
                break;
            }
            if (identityRefusal == null) identityRefusal = match.reason();
        }
        if (trustedBy == null) {
            if (identityRefusal != null) throw new Refusal(identityRefusal);
            throw new Refusal("certificate chain does not lead to " + (stores.size() == 1
                    ? "trust store " + stores.getFirst().name()
                    : "any of the trust stores " + stores.stream().map(X509TrustStore::name).toList()));
        }
        if (envelope.expiry().isPresent() && now.isAfter(envelope.expiry().get())) {
            throw new Refusal("signature expired at " + envelope.expiry().get());
        }
        if (envelope.signingScheme().equals(NotationEnvelope.SCHEME_X509)) {
            CodeSigningChain.validNow(chain, now);
        }
        return SignatureCheck.verified(envelope.kind(), artifact.digest(), signer, trustedBy.name(),
                Optional.of(envelope.signingTime()),
                "signed by " + CodeSigningChain.subject(leaf) + " (" + envelope.signingScheme() + ", "
                        + envelope.algorithm().jwsName() + "), chain leads to trust store " + trustedBy.name()
                        + ", identity " + identity);
    }

    private static ParsedManifest parseManifest(SignatureArtifact artifact) throws Refusal {
        try {
            return ManifestParser.parse(artifact.manifest(), artifact.mediaType(), artifact.digest());
        } catch (RegistryException e) {
            throw new Refusal("the signature manifest is invalid: " + e.getMessage());
        }
    }

    /** Notation's authenticity rule: some certificate of the chain is one of the store's, byte for byte. */
    private static boolean leadsTo(List<X509Certificate> chain, X509TrustStore store) {
        for (X509Certificate certificate : chain) {
            byte[] der = NotationSigning.der(certificate);
            for (X509Certificate trusted : store.roots()) {
                if (Arrays.equals(der, NotationSigning.der(trusted))) return true;
            }
        }
        return false;
    }

    private static Digest signedDigest(byte[] payload) throws Refusal {
        JsonNode root;
        try {
            root = JwsEnvelopes.JSON.readTree(payload);
        } catch (java.io.IOException e) {
            throw new Refusal("the signed payload is not JSON");
        }
        JsonNode target = root == null ? null : root.get("targetArtifact");
        JsonNode digest = target == null ? null : target.get("digest");
        if (digest == null || !digest.isTextual()) throw new Refusal("the signed payload has no targetArtifact.digest");
        try {
            return Digest.parse(digest.asText());
        } catch (RegistryException e) {
            throw new Refusal("the signed payload's targetArtifact.digest is not a digest: " + e.getMessage());
        }
    }

    static Signer signerOf(X509Certificate leaf) {
        return new Signer(Digest.sha256Of(leaf.getPublicKey().getEncoded()).hex(),
                Optional.of(CodeSigningChain.subject(leaf)),
                Optional.of(leaf.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253)),
                Optional.empty(), Optional.empty());
    }
}
