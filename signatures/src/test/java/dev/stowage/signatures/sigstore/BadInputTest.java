package dev.stowage.signatures.sigstore;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureVerifier;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Malformed signatures are failed checks with a reason, bounded before any expensive work; nothing throws. */
class BadInputTest {
    static final Digest IMAGE = CosignSigningTest.IMAGE;
    static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    final KeyPair keys = TestSigstore.keys("P-256");
    final TrustMaterial trust = CosignSigningTest.trusting(keys);
    final byte[] payload = CosignSigning.simpleSigningPayload(IMAGE, "r/a");

    String cosignReason(SignatureArtifact artifact) {
        List<SignatureCheck> checks = new SignatureVerifier(SigstoreFormats.all()).verify(IMAGE, List.of(artifact),
                trust, Instant.now());
        assertThat(checks).singleElement().satisfies(check -> assertThat(check.verified()).isFalse());
        return checks.getFirst().reason();
    }

    @Test
    void malformedBase64Signature() {
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload,
                Map.of("dev.cosignproject.cosign/signature", "not*base64!"))))
                .isEqualTo("malformed signature annotation: not base64");
    }

    @Test
    void payloadThatIsNotJson() {
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, "{\"critical\":".getBytes(StandardCharsets.UTF_8),
                Map.of("dev.cosignproject.cosign/signature", "AAAA"))))
                .startsWith("malformed simple-signing payload: unexpected end");
    }

    @Test
    void payloadNestedTooDeeply() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING,
                ("{\"critical\":" + deep + "}").getBytes(StandardCharsets.UTF_8), Map.of())))
                .startsWith("malformed simple-signing payload: nested too deeply");
    }

    @Test
    void certificateThatIsNotPem() {
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload, Map.of(
                "dev.cosignproject.cosign/signature", "AAAA", "dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----\nnot a cert\n"))))
                .isEqualTo("malformed certificate annotation: not PEM certificates");
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload, Map.of(
                "dev.cosignproject.cosign/signature", "AAAA",
                "dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))))
                .isEqualTo("malformed certificate annotation: not an X.509 certificate");
    }

    @Test
    void aTenThousandCertificateChainIsRefusedBeforeParsing() {
        TestSigstore sigstore = new TestSigstore();
        X509Certificate leaf = sigstore.leaf(keys, "dev@acme.example", "https://accounts.google.com", Instant.now(), false);
        String chain = TestSigstore.pem(leaf).repeat(10_000);

        // ~7 MB in one annotation: JSON reading stops at its 1 MiB string bound
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload, Map.of(
                "dev.cosignproject.cosign/signature", "AAAA", "dev.sigstore.cosign/certificate", chain))))
                .isEqualTo("malformed cosign manifest: a string is too long");
        // a chain that fits is counted before any certificate is decoded
        assertThat(cosignReason(TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload, Map.of(
                "dev.cosignproject.cosign/signature", "AAAA", "dev.sigstore.cosign/certificate", TestSigstore.pem(leaf).repeat(11)))))
                .isEqualTo("certificate annotation has 11 certificates (at most 10)");

        String entries = ("{\"rawBytes\":\"" + TestSigstore.der(leaf) + "\"},").repeat(9_999) + "{\"rawBytes\":\"AA==\"}";
        String bundle = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\",\"verificationMaterial\":"
                + "{\"x509CertificateChain\":{\"certificates\":[" + entries + "]}},\"messageSignature\":{\"messageDigest\":"
                + "{\"algorithm\":\"SHA2_256\",\"digest\":\"AA==\"},\"signature\":\"AA==\"}}";
        SignatureCheck check = SigstoreBundleFormat.verifyBundle(IMAGE, bundle.getBytes(StandardCharsets.UTF_8), IMAGE, trust);
        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("malformed bundle verificationMaterial x509CertificateChain: certificates has"
                + " 10000 entries (at most 10)");
    }

    @Test
    void aBundleThatIsNotJson() {
        SignatureCheck check = SigstoreBundleFormat.verifyBundle(IMAGE, "PK\u0003\u0004 not json".getBytes(StandardCharsets.UTF_8),
                IMAGE, trust);
        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).startsWith("malformed bundle: unexpected character");
    }

    @Test
    void aBundleOfAnUnknownVersion() {
        SignatureCheck check = SigstoreBundleFormat.verifyBundle(IMAGE,
                "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=9\"}".getBytes(StandardCharsets.UTF_8), IMAGE, trust);
        assertThat(check.reason()).isEqualTo("malformed bundle: unknown bundle media type application/vnd.dev.sigstore.bundle+json;version=9");
    }

    @Test
    void aMissingPayloadBlob() {
        SignatureArtifact complete = TestSigstore.cosignArtifact(SIMPLE_SIGNING, payload, Map.of());
        Map<Digest, byte[]> blobs = new LinkedHashMap<>(complete.blobs());
        blobs.remove(Digest.sha256Of(payload));
        SignatureArtifact artifact = new SignatureArtifact(complete.digest(), complete.mediaType(), null, complete.manifest(),
                blobs, SignatureArtifact.Origin.COSIGN_TAG);

        assertThat(cosignReason(artifact)).isEqualTo("payload blob " + Digest.sha256Of(payload) + " is missing or larger than 256 KiB");
    }

    @Test
    void aManifestThatIsNotJson() {
        SignatureArtifact artifact = new SignatureArtifact(IMAGE, "application/vnd.oci.image.manifest.v1+json", null,
                "garbage".getBytes(StandardCharsets.UTF_8), Map.of(), SignatureArtifact.Origin.COSIGN_TAG);

        assertThat(cosignReason(artifact)).startsWith("malformed cosign manifest: unexpected");
    }

    @Test
    void aKeyBasedSignatureWhenThePolicyTrustsNoKeys() {
        SignatureArtifact artifact = CosignSigningTest.artifact(CosignSigning.sign(IMAGE, "r/a", keys.getPrivate(), keys.getPublic()));
        List<SignatureCheck> checks = new CosignFormat().verify(artifact, IMAGE,
                new TrustMaterial(TrustPolicy.NONE, List.of()), Instant.now());

        assertThat(checks.getFirst().reason()).isEqualTo("key not in the policy: the policy trusts no keys");
    }
}
