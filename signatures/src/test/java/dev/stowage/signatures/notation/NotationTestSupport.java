package dev.stowage.signatures.notation;

import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Wraps envelopes in signature manifests as notation stores them, and builds trust material. */
final class NotationTestSupport {
    private NotationTestSupport() {
    }

    static byte[] resource(String name) {
        try (InputStream in = NotationTestSupport.class.getResourceAsStream("/notation/" + name)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] base64Resource(String name) {
        return Base64.getMimeDecoder().decode(resource(name));
    }

    /** A referrer manifest with artifactType notary signature, one layer of {@code envelopeType}, subject {@code subject}. */
    static SignatureArtifact artifact(byte[] envelope, String envelopeType, Digest subject) {
        Digest envelopeDigest = Digest.sha256Of(envelope);
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "artifactType":"application/vnd.cncf.notary.signature",
                 "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2,"data":"e30="},
                 "layers":[{"mediaType":"%s","digest":"%s","size":%d}],
                 "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":481}}"""
                .formatted(Digest.sha256Of("{}".getBytes()), envelopeType, envelopeDigest, envelope.length, subject);
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        return new SignatureArtifact(Digest.sha256Of(bytes), MediaTypes.OCI_MANIFEST,
                SignatureMediaTypes.NOTATION_SIGNATURE, bytes, Map.of(envelopeDigest, envelope),
                SignatureArtifact.Origin.REFERRER);
    }

    static TrustMaterial trust(String storeName, List<X509Certificate> roots, String... identities) {
        return new TrustMaterial(new TrustPolicy(List.of(),
                List.of(new TrustPolicy.X509TrustStore(storeName, roots, List.of(identities))), List.of()), List.of());
    }
}
