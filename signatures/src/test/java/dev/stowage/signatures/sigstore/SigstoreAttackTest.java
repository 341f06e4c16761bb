package dev.stowage.signatures.sigstore;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Bundles and cosign signatures an attacker builds to be accepted as verified, or to make the verifier throw. */
class SigstoreAttackTest {
    static final String IDENTITY = CosignKeylessTest.IDENTITY;
    static final String ISSUER = CosignKeylessTest.ISSUER;
    static final Instant ISSUED = CosignKeylessTest.ISSUED;
    static final byte[] IMAGE = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    static final Digest SUBJECT = Digest.sha256Of(IMAGE);
    static final Base64.Encoder B64 = Base64.getEncoder();

    final TestSigstore sigstore = new TestSigstore();
    final SigstoreTrustedRoot root = SigstoreTrustedRoots.parse("test", sigstore.trustedRootJson().getBytes(StandardCharsets.UTF_8));
    final KeyPair ephemeral = TestSigstore.keys("P-256");
    final TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(), List.of(), List.of(CosignKeylessTest.release())),
            List.of(root));

    /**
     * A v0.3 bundle signing the image manifest with a Fulcio certificate, its hashedrekord entry proven by an RFC 6962
     * inclusion proof (a one-leaf tree) and a checkpoint the log signed; {@code withSet} adds the log's signed entry
     * timestamp over {@code integratedTime}.
     */
    String bundle(X509Certificate leaf, String integratedTime, boolean withSet) {
        byte[] signature = TestSigstore.sign(ephemeral.getPrivate(), IMAGE);
        byte[] body = TestSigstore.hashedRekord(IMAGE, signature, leaf);
        byte[] rootHash = Crypto.sha256(Crypto.concat(new byte[]{0}, body));
        String note = "rekor.test - 1\n1\n" + B64.encodeToString(rootHash) + "\n";
        ByteArrayOutputStream hintAndSignature = new ByteArrayOutputStream();
        hintAndSignature.writeBytes(java.util.Arrays.copyOf(sigstore.logId(), 4));
        hintAndSignature.writeBytes(TestSigstore.sign(sigstore.rekorKey.getPrivate(), note.getBytes(StandardCharsets.UTF_8)));
        String checkpoint = note + "\n\u2014 rekor.test " + B64.encodeToString(hintAndSignature.toByteArray()) + "\n";
        String promise = "";
        if (withSet) {
            Rekor.Entry entry = new Rekor.Entry(body, Long.parseLong(integratedTime), 7, sigstore.logId(), Optional.empty(),
                    Optional.empty());
            promise = ",\"inclusionPromise\":{\"signedEntryTimestamp\":\""
                    + B64.encodeToString(TestSigstore.sign(sigstore.rekorKey.getPrivate(), entry.setPayload())) + "\"}";
        }
        return "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{"
                + "\"certificate\":{\"rawBytes\":\"" + TestSigstore.der(leaf) + "\"},\"tlogEntries\":[{\"logIndex\":\"7\","
                + "\"logId\":{\"keyId\":\"" + B64.encodeToString(sigstore.logId()) + "\"},"
                + "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},"
                + "\"integratedTime\":" + integratedTime + ",\"canonicalizedBody\":\"" + B64.encodeToString(body) + "\""
                + promise + ",\"inclusionProof\":{\"logIndex\":\"0\",\"rootHash\":\"" + B64.encodeToString(rootHash)
                + "\",\"treeSize\":\"1\",\"hashes\":[],\"checkpoint\":{\"envelope\":" + TestSigstore.quote(checkpoint)
                + "}}}]},\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\""
                + B64.encodeToString(Crypto.sha256(IMAGE)) + "\"},\"signature\":\"" + B64.encodeToString(signature) + "\"}}";
    }

    SignatureCheck verify(String bundle) {
        return SigstoreBundleFormat.verifyBundle(SUBJECT, bundle.getBytes(StandardCharsets.UTF_8), SUBJECT, trust);
    }

    @Test
    void theLoggedTimeCountsWhenTheLogSignedIt() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck check = verify(bundle(leaf, Long.toString(ISSUED.getEpochSecond() + 5), true));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.signedAt()).contains(ISSUED.plusSeconds(5));
    }

    /**
     * The attack: an inclusion proof and checkpoint sign the entry's body and the tree, never {@code integratedTime}.
     * Someone holding a Fulcio key after its certificate expired logs a signature, drops the SET and writes an
     * integrated time inside the certificate's ten minutes; the certificate's validity must not be judged by it.
     */
    @Test
    void anIntegratedTimeNoLogSignatureCoversDoesNotMakeACertificateValid() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck check = verify(bundle(leaf, Long.toString(ISSUED.getEpochSecond() + 5), false));

        assertThat(check.verified()).as(check.reason()).isFalse();
        assertThat(check.reason()).startsWith("keyless signature without a signed entry timestamp");
    }

    @Test
    void anIntegratedTimeBeyondWhatAnInstantHoldsIsRefusedNotThrown() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        for (String time : List.of("9223372036854775807", "\"999999999999999999\"", "-9223372036854775808")) {
            SignatureCheck check = verify(bundle(leaf, time, false));

            assertThat(check.verified()).as(time).isFalse();
            assertThat(check.reason()).as(time).isEqualTo("Rekor entry's integrated time is out of range");
        }
    }

    @Test
    void aCosignBundleAnnotationWithAnOutOfRangeTimeIsRefusedNotThrown() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);
        byte[] payload = CosignSigning.simpleSigningPayload(SUBJECT, "registry.example/acme/app");
        byte[] signature = TestSigstore.sign(ephemeral.getPrivate(), payload);
        String bundle = "{\"SignedEntryTimestamp\":\"" + B64.encodeToString(new byte[64]) + "\",\"Payload\":{\"body\":\""
                + B64.encodeToString(TestSigstore.hashedRekord(payload, signature, leaf)) + "\",\"integratedTime\":"
                + "999999999999999999,\"logIndex\":1,\"logID\":\"" + java.util.HexFormat.of().formatHex(sigstore.logId()) + "\"}}";
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("dev.cosignproject.cosign/signature", B64.encodeToString(signature));
        annotations.put("dev.sigstore.cosign/certificate", TestSigstore.pem(leaf));
        annotations.put("dev.sigstore.cosign/bundle", bundle);
        SignatureArtifact artifact = TestSigstore.cosignArtifact("application/vnd.dev.cosign.simplesigning.v1+json", payload,
                annotations);

        List<SignatureCheck> checks = new CosignFormat().verify(artifact, SUBJECT, trust, Instant.now());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.verified()).isFalse();
            assertThat(check.reason()).isEqualTo("Rekor entry's integrated time is out of range");
        });
    }
}
