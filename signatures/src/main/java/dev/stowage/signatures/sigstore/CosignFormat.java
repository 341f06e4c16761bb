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

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cosign's tag scheme ({@code sha256-<hex>.sig} and {@code .att}), as specs/SIGNATURE_SPEC.md describes it: one
 * signature per layer. A {@code .sig} layer is a simple-signing payload whose
 * {@code critical.image.docker-manifest-digest} must be the manifest's digest, signed as the layer's
 * {@code dev.cosignproject.cosign/signature} annotation says; a {@code .att} layer is a DSSE envelope of an in-toto
 * statement about the manifest. {@code dev.sigstore.cosign/certificate} makes the signature keyless, verified with the
 * Rekor entry of {@code dev.sigstore.cosign/bundle}. The {@code chain} annotation is not trusted: the installed
 * trusted root supplies the chain. RFC 3161 timestamps ({@code rfc3161timestamp}) are not verified.
 */
public final class CosignFormat implements SignatureFormat {
    static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    static final String BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";

    @Override
    public boolean recognises(SignatureArtifact artifact) {
        if (artifact.origin() == SignatureArtifact.Origin.COSIGN_TAG) return true;
        return SignatureMediaTypes.COSIGN_SIMPLE_SIGNING.equals(artifact.artifactType())
                || SignatureMediaTypes.DSSE_ENVELOPE.equals(artifact.artifactType());
    }

    @Override
    public List<SignatureCheck> verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust, Instant now) {
        JsonNode layers;
        try {
            JsonNode manifest = Json.parse(artifact.manifest(), "cosign manifest");
            layers = Json.array(manifest, "layers", "cosign manifest", Integer.MAX_VALUE);
        } catch (Rejected e) {
            return List.of(SignatureCheck.failed(SignatureKind.COSIGN, artifact.digest(), Optional.empty(), e.getMessage()));
        }
        List<SignatureCheck> checks = new ArrayList<>();
        for (JsonNode layer : layers) {
            if (checks.size() == SignatureArtifact.MAX_LAYERS) {
                checks.add(SignatureCheck.failed(SignatureKind.COSIGN, artifact.digest(), Optional.empty(),
                        (layers.size() - SignatureArtifact.MAX_LAYERS) + " more layers not checked (at most "
                                + SignatureArtifact.MAX_LAYERS + ")"));
                break;
            }
            checks.add(layer(artifact, layer, subject, trust));
        }
        if (checks.isEmpty()) {
            checks.add(SignatureCheck.failed(SignatureKind.COSIGN, artifact.digest(), Optional.empty(),
                    "cosign manifest has no layers"));
        }
        return List.copyOf(checks);
    }

    private static SignatureCheck layer(SignatureArtifact artifact, JsonNode layer, Digest subject, TrustMaterial trust) {
        String mediaType = layer.path("mediaType").asText("");
        SignatureKind kind = SignatureMediaTypes.DSSE_ENVELOPE.equals(mediaType) ? SignatureKind.IN_TOTO : SignatureKind.COSIGN;
        try {
            if (!layer.isObject()) throw Rejected.malformed("cosign manifest: a layer is not an object");
            byte[] blob = blob(artifact, layer);
            Map<String, String> annotations = annotations(layer);
            Optional<String> certificate = Optional.ofNullable(annotations.get(CERTIFICATE_ANNOTATION))
                    .filter(pem -> !pem.isBlank());
            X509Certificate leaf = certificate.isPresent()
                    ? Crypto.pemCertificates(certificate.get(), "certificate annotation").getFirst() : null;
            Optional<Rekor.Entry> tlog = annotations.containsKey(BUNDLE_ANNOTATION)
                    ? Optional.of(bundle(annotations.get(BUNDLE_ANNOTATION))) : Optional.empty();
            if (kind == SignatureKind.COSIGN) {
                if (!SignatureMediaTypes.COSIGN_SIMPLE_SIGNING.equals(mediaType)) {
                    throw new Rejected("layer of media type " + Fulcio.printable(mediaType) + " is not a cosign signature");
                }
                checkNames(blob, subject);
                String encoded = annotations.get(CosignSigning.SIGNATURE_ANNOTATION);
                if (encoded == null) throw Rejected.malformed("layer: no " + CosignSigning.SIGNATURE_ANNOTATION + " annotation");
                byte[] signature = Json.base64(encoded, "signature annotation");
                return Verification.check(kind, artifact.digest(), key -> Crypto.verifies(key, blob, signature),
                        Optional.ofNullable(leaf), tlog, new Rekor.Binding(Crypto.sha256(blob), signature,
                                Optional.ofNullable(leaf)), trust);
            }
            Dsse envelope = Dsse.parse(Json.parse(blob, "envelope"));
            envelope.checkStatementNames(subject);
            SignatureCheck first = null;
            for (byte[] signature : envelope.signatures()) {
                SignatureCheck check = Verification.check(kind, artifact.digest(),
                        key -> Crypto.verifies(key, envelope.pae(), signature), Optional.ofNullable(leaf), tlog,
                        new Rekor.Binding(Crypto.sha256(envelope.payload()), signature, Optional.ofNullable(leaf)), trust);
                if (check.verified()) return check;
                if (first == null) first = check;
            }
            return first;
        } catch (Rejected e) {
            return SignatureCheck.failed(kind, artifact.digest(), Optional.empty(), e.getMessage());
        } catch (RuntimeException e) {
            // an unforeseen failure on hostile input is this signature's failure; the format must never throw
            return SignatureCheck.failed(kind, artifact.digest(), Optional.empty(),
                    "could not be verified: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] blob(SignatureArtifact artifact, JsonNode layer) throws Rejected {
        Digest digest;
        try {
            digest = Digest.parse(Json.text(layer, "digest", "cosign manifest layer"));
        } catch (RegistryException e) {
            throw Rejected.malformed("cosign manifest layer: bad digest");
        }
        byte[] blob = artifact.blobs().get(digest);
        if (blob == null) {
            throw new Rejected("payload blob " + digest + " is missing or larger than "
                    + SignatureArtifact.MAX_BLOB_BYTES / 1024 + " KiB");
        }
        if (!digest.matches(blob)) throw new Rejected("payload blob does not match its digest");
        return blob;
    }

    private static Map<String, String> annotations(JsonNode layer) throws Rejected {
        Map<String, String> annotations = new java.util.HashMap<>();
        Optional<JsonNode> node = Json.optionalObject(layer, "annotations", "cosign manifest layer");
        if (node.isEmpty()) return annotations;
        Iterator<Map.Entry<String, JsonNode>> fields = node.get().fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isTextual()) annotations.put(field.getKey(), field.getValue().textValue());
        }
        return annotations;
    }

    /** The simple-signing payload's {@code critical.image.docker-manifest-digest}; Go's JSON matches names in any case. */
    static void checkNames(byte[] payload, Digest subject) throws Rejected {
        JsonNode json = Json.parse(payload, "simple-signing payload");
        JsonNode critical = field(json, "critical");
        JsonNode image = critical == null ? null : field(critical, "image");
        JsonNode digest = image == null ? null : field(image, "docker-manifest-digest");
        if (digest == null || !digest.isTextual()) {
            throw Rejected.malformed("simple-signing payload: no critical.image.docker-manifest-digest");
        }
        if (!digest.textValue().equals(subject.toString())) {
            throw new Rejected("signed payload names " + Fulcio.printable(digest.textValue()) + ", not the manifest "
                    + subject);
        }
    }

    private static JsonNode field(JsonNode object, String name) {
        if (!object.isObject()) return null;
        JsonNode exact = object.get(name);
        if (exact != null) return exact;
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String candidate = names.next();
            if (candidate.equalsIgnoreCase(name)) return object.get(candidate);
        }
        return null;
    }

    /** cosign's bundle annotation: {@code {SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}}. */
    static Rekor.Entry bundle(String annotation) throws Rejected {
        String what = "bundle annotation";
        JsonNode bundle = Json.parse(annotation.getBytes(java.nio.charset.StandardCharsets.UTF_8), what);
        byte[] set = Json.base64(bundle, "SignedEntryTimestamp", what);
        JsonNode payload = Json.object(bundle, "Payload", what);
        byte[] body = Json.base64(payload, "body", what);
        String logId = Json.text(payload, "logID", what);
        if (!logId.matches("[0-9a-fA-F]{64}")) throw Rejected.malformed(what + ": logID is not a SHA-256 in hex");
        return new Rekor.Entry(body, Json.integer(payload, "integratedTime", what), Json.integer(payload, "logIndex", what),
                java.util.HexFormat.of().parseHex(logId.toLowerCase(java.util.Locale.ROOT)), Optional.of(set),
                Optional.empty());
    }
}
