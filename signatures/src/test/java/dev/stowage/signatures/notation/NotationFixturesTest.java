package dev.stowage.signatures.notation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.TrustMaterial;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static dev.stowage.signatures.notation.NotationTestSupport.artifact;
import static dev.stowage.signatures.notation.NotationTestSupport.base64Resource;
import static dev.stowage.signatures.notation.NotationTestSupport.resource;
import static dev.stowage.signatures.notation.NotationTestSupport.trust;
import static org.assertj.core.api.Assertions.assertThat;

/** Real envelopes from notation-go's test data (see src/test/resources/notation/README.md). */
class NotationFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    private static final Digest ALPINE = Digest.sha256Of(resource("alpine-manifest.json"));
    private static final Digest WITHOUT_TIMESTAMP_SUBJECT =
            Digest.parse("sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda");
    private static final String NOTARY_IDENTITY = "x509.subject: C=US, ST=WA, O=Notary";

    private final NotationFormat format = new NotationFormat();

    @Test
    void notationsJwsSignatureVerifiesAgainstItsRoot() throws Exception {
        byte[] envelope = resource("jws_signature.sig");
        SignatureArtifact artifact = artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, ALPINE);
        assertThat(format.recognises(artifact)).isTrue();

        SignatureCheck check = single(format.verify(artifact, ALPINE, trustRootOf(jwsChain(envelope), NOTARY_IDENTITY), NOW));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.kind()).isEqualTo(SignatureKind.NOTATION_JWS);
        assertThat(check.trustedBy()).contains("notary-test");
        assertThat(check.signedAt()).contains(Instant.parse("2023-03-14T08:10:02Z"));
        X509Certificate leaf = jwsChain(envelope).getFirst();
        assertThat(check.signer().orElseThrow().keyId()).isEqualTo(Digest.sha256Of(leaf.getPublicKey().getEncoded()).hex());
        assertThat(check.signer().orElseThrow().certificateSubject()).contains("CN=alpine,O=Notary,L=Seattle,ST=WA,C=US");
        assertThat(check.signer().orElseThrow().certificateIssuer()).contains("CN=alpine,O=Notary,L=Seattle,ST=WA,C=US");
    }

    @Test
    void notationsCoseSignatureVerifiesAgainstItsRoot() throws Exception {
        byte[] envelope = base64Resource("cose_signature.sig.b64");
        SignatureArtifact artifact = artifact(envelope, SignatureMediaTypes.COSE_ENVELOPE, ALPINE);
        List<X509Certificate> chain = CodeSigningChain.parse(CoseEnvelopes.parse(envelope).chain());

        SignatureCheck check = single(format.verify(artifact, ALPINE, trustRootOf(chain, "*"), NOW));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.kind()).isEqualTo(SignatureKind.NOTATION_COSE);
        assertThat(check.reason()).contains("CN=alpine");
    }

    @Test
    void envelopesWithTimestampsVerifyHeldToTheValidNowRule() throws Exception {
        byte[] jws = resource("jwsWithTimestamp.sig");
        byte[] cose = base64Resource("coseWithTimestamp.sig.b64");
        byte[] plain = resource("withoutTimestamp.sig");
        for (var pair : List.of(
                new Object[]{jws, SignatureMediaTypes.JWS_ENVELOPE, JwsEnvelopes.parse(jws)},
                new Object[]{cose, SignatureMediaTypes.COSE_ENVELOPE, CoseEnvelopes.parse(cose)},
                new Object[]{plain, SignatureMediaTypes.JWS_ENVELOPE, JwsEnvelopes.parse(plain)})) {
            NotationEnvelope parsed = (NotationEnvelope) pair[2];
            Digest subject = Digest.parse(JSON.readTree(parsed.payload()).get("targetArtifact").get("digest").asText());
            assertThat(subject).isEqualTo(WITHOUT_TIMESTAMP_SUBJECT);
            TrustMaterial trust = trustRootOf(CodeSigningChain.parse(parsed.chain()), NOTARY_IDENTITY);
            SignatureArtifact artifact = artifact((byte[]) pair[0], (String) pair[1], subject);

            SignatureCheck now = single(format.verify(artifact, subject, trust, NOW));
            assertThat(now.verified()).as(now.reason()).isTrue();
            // the certificate ends in 2033; without a verified timestamp the signature dies with it
            SignatureCheck later = single(format.verify(artifact, subject, trust, Instant.parse("2034-01-01T00:00:00Z")));
            assertThat(later.verified()).isFalse();
            assertThat(later.reason()).contains("expired at 2033-05-10T04:55:12Z").contains("no verified timestamp");
        }
    }

    @Test
    void aSubjectOutsideTheTrustedIdentitiesFails() throws Exception {
        byte[] envelope = resource("jws_signature.sig");
        SignatureCheck check = single(format.verify(artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, ALPINE), ALPINE,
                trustRootOf(jwsChain(envelope), "x509.subject: C=US, ST=WA, O=Notary, CN=builder",
                        "x509.subject: C=US, ST=CA, O=Notary"), NOW));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo(
                "subject CN=alpine,O=Notary,L=Seattle,ST=WA,C=US is not a trusted identity of store notary-test");
        assertThat(check.signer()).isPresent();
    }

    @Test
    void anotherRootFails() throws Exception {
        X509Certificate otherRoot = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(resource("NotationTestRoot.pem")));
        byte[] envelope = resource("jws_signature.sig");

        SignatureCheck check = single(format.verify(artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, ALPINE), ALPINE,
                trust("notation-test-root", List.of(otherRoot), "*"), NOW));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("certificate chain does not lead to trust store notation-test-root");
    }

    @Test
    void aTamperedPayloadFails() throws Exception {
        byte[] envelope = resource("jws_signature.sig");
        ObjectNode node = (ObjectNode) JSON.readTree(envelope);
        String payload = "{\"targetArtifact\":{\"digest\":\"" + ALPINE + "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":482}}";
        node.put("payload", Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)));
        byte[] tampered = JSON.writeValueAsBytes(node);

        SignatureCheck check = single(format.verify(artifact(tampered, SignatureMediaTypes.JWS_ENVELOPE, ALPINE), ALPINE,
                trustRootOf(jwsChain(envelope), "*"), NOW));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).contains("does not verify with the signing certificate's key");
    }

    @Test
    void aTamperedCoseSignatureFails() throws Exception {
        byte[] envelope = base64Resource("cose_signature.sig.b64");
        byte[] tampered = envelope.clone();
        tampered[tampered.length - 5] ^= 0x01; // inside the signature, the last item
        List<X509Certificate> chain = CodeSigningChain.parse(CoseEnvelopes.parse(envelope).chain());

        SignatureCheck check = single(format.verify(artifact(tampered, SignatureMediaTypes.COSE_ENVELOPE, ALPINE), ALPINE,
                trustRootOf(chain, "*"), NOW));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).contains("does not verify with the signing certificate's key");
    }

    @Test
    void anotherManifestDigestFails() throws Exception {
        byte[] envelope = resource("jws_signature.sig");
        Digest other = Digest.sha256Of("another manifest".getBytes(StandardCharsets.UTF_8));

        SignatureCheck check = single(format.verify(artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, other), other,
                trustRootOf(jwsChain(envelope), "*"), NOW));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("signed payload names " + ALPINE + " not the manifest " + other);
    }

    private static List<X509Certificate> jwsChain(byte[] envelope) throws Exception {
        return CodeSigningChain.parse(JwsEnvelopes.parse(envelope).chain());
    }

    private static TrustMaterial trustRootOf(List<X509Certificate> chain, String... identities) {
        return trust("notary-test", List.of(chain.getLast()), identities);
    }

    static SignatureCheck single(List<SignatureCheck> checks) {
        assertThat(checks).hasSize(1);
        return checks.getFirst();
    }
}
