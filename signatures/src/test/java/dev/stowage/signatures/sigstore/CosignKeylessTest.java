package dev.stowage.signatures.sigstore;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cosign keyless signatures and attestations, made here exactly as cosign and Fulcio/Rekor make them. */
class CosignKeylessTest {
    static final String IDENTITY = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final Digest IMAGE = CosignSigningTest.IMAGE;
    static final Instant ISSUED = Instant.parse("2025-05-01T10:00:00Z");

    final TestSigstore sigstore = new TestSigstore();
    final SigstoreTrustedRoot root = SigstoreTrustedRoots.parse("test", sigstore.trustedRootJson().getBytes(StandardCharsets.UTF_8));
    final KeyPair ephemeral = TestSigstore.keys("P-256");

    TrustMaterial allowing(TrustPolicy.KeylessIdentity identity) {
        return new TrustMaterial(new TrustPolicy(List.of(), List.of(), List.of(identity)), List.of(root));
    }

    static TrustPolicy.KeylessIdentity release() {
        return new TrustPolicy.KeylessIdentity("release workflow", Optional.of(ISSUER), Optional.empty(),
                Optional.empty(), Optional.of(Pattern.compile("https://github\\.com/acme/.*@refs/heads/main")));
    }

    /** A keyless cosign signature: payload, signature by the ephemeral key, Fulcio certificate, Rekor bundle. */
    SignatureArtifact signed(Digest named, X509Certificate certificate, Instant logged, boolean forgeSet) {
        byte[] payload = CosignSigning.simpleSigningPayload(named, "registry.example/acme/app");
        byte[] signature = TestSigstore.sign(ephemeral.getPrivate(), payload);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(signature));
        annotations.put("dev.sigstore.cosign/certificate", TestSigstore.pem(certificate));
        annotations.put("dev.sigstore.cosign/chain", TestSigstore.pem(sigstore.intermediate) + TestSigstore.pem(sigstore.root));
        annotations.put("dev.sigstore.cosign/bundle", sigstore.cosignBundle(TestSigstore.hashedRekord(payload, signature, certificate),
                logged, forgeSet ? TestSigstore.keys("P-256").getPrivate() : sigstore.rekorKey.getPrivate()));
        return TestSigstore.cosignArtifact("application/vnd.dev.cosign.simplesigning.v1+json", payload, annotations);
    }

    SignatureCheck verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust) {
        List<SignatureCheck> checks = new CosignFormat().verify(artifact, subject, trust, Instant.now());
        assertThat(checks).hasSize(1);
        return checks.getFirst();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aKeylessSignatureVerifiesForTheAllowedIdentity(boolean legacyIssuerExtension) {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, legacyIssuerExtension);

        SignatureCheck check = verify(signed(IMAGE, leaf, ISSUED.plusSeconds(5), false), IMAGE, allowing(release()));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.kind()).isEqualTo(SignatureKind.COSIGN);
        assertThat(check.trustedBy()).contains("keyless identity release workflow");
        assertThat(check.signedAt()).contains(ISSUED.plusSeconds(5));
        assertThat(check.signer().orElseThrow().identity()).contains(IDENTITY);
        assertThat(check.signer().orElseThrow().oidcIssuer()).contains(ISSUER);
    }

    @Test
    void anEmailIdentityMatchesExactly() {
        X509Certificate leaf = sigstore.leaf(ephemeral, "dev@acme.example", "https://accounts.google.com", ISSUED, false);
        TrustPolicy.KeylessIdentity dev = new TrustPolicy.KeylessIdentity("dev", Optional.of("https://accounts.google.com"),
                Optional.empty(), Optional.of("dev@acme.example"), Optional.empty());

        assertThat(verify(signed(IMAGE, leaf, ISSUED.plusSeconds(5), false), IMAGE, allowing(dev)).verified()).isTrue();
    }

    @Test
    void aWrongIdentityIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, "https://github.com/mallory/app/.github/workflows/x.yml@refs/heads/main",
                ISSUER, ISSUED, false);

        SignatureCheck check = verify(signed(IMAGE, leaf, ISSUED.plusSeconds(5), false), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("identity https://github.com/mallory/app/.github/workflows/x.yml@refs/heads/main"
                + " (issuer " + ISSUER + ") not allowed by the policy");
    }

    @Test
    void aCertificateExpiredBeforeTheLogEntryIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck check = verify(signed(IMAGE, leaf, ISSUED.plusSeconds(3600), false), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).startsWith("certificate expired before the log entry was made");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        TestSigstore elsewhere = new TestSigstore();
        X509Certificate leaf = elsewhere.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck check = verify(signed(IMAGE, leaf, ISSUED.plusSeconds(5), false), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("certificate not issued by an installed Fulcio root");
    }

    @Test
    void aForgedRekorEntryIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck check = verify(signed(IMAGE, leaf, ISSUED.plusSeconds(5), true), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("Rekor entry signature invalid");
    }

    @Test
    void aPayloadNamingAnotherDigestIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);
        Digest other = CosignSigningTest.OTHER;

        SignatureCheck check = verify(signed(other, leaf, ISSUED.plusSeconds(5), false), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("signed payload names " + other + ", not the manifest " + IMAGE);
    }

    @Test
    void aTamperedPayloadIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);
        SignatureArtifact genuine = signed(IMAGE, leaf, ISSUED.plusSeconds(5), false);
        // same annotations (signature, certificate, bundle), payload changed in its optional part
        byte[] tampered = new String(CosignSigning.simpleSigningPayload(IMAGE, "registry.example/acme/app"), StandardCharsets.UTF_8)
                .replace("\"optional\":null", "\"optional\":{\"x\":1}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> annotations = new LinkedHashMap<>();
        Json.MAPPER.valueToTree(annotationsOf(genuine)).fields()
                .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().textValue()));
        SignatureArtifact artifact = TestSigstore.cosignArtifact("application/vnd.dev.cosign.simplesigning.v1+json", tampered, annotations);

        SignatureCheck check = verify(artifact, IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("signature does not verify with its certificate's key (payload altered?)");
    }

    @Test
    void withoutARekorBundleKeylessIsRefused() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);
        Map<String, String> annotations = annotationsOf(signed(IMAGE, leaf, ISSUED, false));
        annotations.remove("dev.sigstore.cosign/bundle");
        byte[] payload = CosignSigning.simpleSigningPayload(IMAGE, "registry.example/acme/app");
        annotations.put("dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(
                TestSigstore.sign(ephemeral.getPrivate(), payload)));

        SignatureCheck check = verify(TestSigstore.cosignArtifact("application/vnd.dev.cosign.simplesigning.v1+json",
                payload, annotations), IMAGE, allowing(release()));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).startsWith("keyless signature without a Rekor entry");
    }

    @Test
    void anAttestationNamesTheManifest() {
        X509Certificate leaf = sigstore.leaf(ephemeral, IDENTITY, ISSUER, ISSUED, false);

        SignatureCheck verified = verify(attestation(IMAGE, leaf), IMAGE, allowing(release()));
        SignatureCheck other = verify(attestation(CosignSigningTest.OTHER, leaf), IMAGE, allowing(release()));

        assertThat(verified.verified()).as(verified.reason()).isTrue();
        assertThat(verified.kind()).isEqualTo(SignatureKind.IN_TOTO);
        assertThat(other.verified()).isFalse();
        assertThat(other.reason()).isEqualTo("in-toto statement names " + CosignSigningTest.OTHER + ", not the manifest " + IMAGE);
    }

    /** cosign attest: a DSSE envelope of an in-toto statement, logged as an intoto entry; signature annotation empty. */
    SignatureArtifact attestation(Digest named, X509Certificate leaf) {
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
                + "\"subject\":[{\"name\":\"registry.example/acme/app\",\"digest\":{\"sha256\":\"" + named.hex() + "\"}}],"
                + "\"predicate\":{}}").getBytes(StandardCharsets.UTF_8);
        Dsse unsigned = new Dsse(statement, "application/vnd.in-toto+json", List.of());
        byte[] signature = TestSigstore.sign(ephemeral.getPrivate(), unsigned.pae());
        byte[] envelope = ("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\""
                + Base64.getEncoder().encodeToString(statement) + "\",\"signatures\":[{\"keyid\":\"\",\"sig\":\""
                + Base64.getEncoder().encodeToString(signature) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        byte[] body = ("{\"apiVersion\":\"0.0.2\",\"kind\":\"intoto\",\"spec\":{\"content\":{\"hash\":{\"algorithm\":\"sha256\","
                + "\"value\":\"" + java.util.HexFormat.of().formatHex(Crypto.sha256(envelope)) + "\"},\"payloadHash\":{"
                + "\"algorithm\":\"sha256\",\"value\":\"" + java.util.HexFormat.of().formatHex(Crypto.sha256(statement))
                + "\"}}}}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("dev.cosignproject.cosign/signature", "");
        annotations.put("dev.sigstore.cosign/certificate", TestSigstore.pem(leaf));
        annotations.put("dev.sigstore.cosign/bundle", sigstore.cosignBundle(body, ISSUED.plusSeconds(5), sigstore.rekorKey.getPrivate()));
        return TestSigstore.cosignArtifact("application/vnd.dsse.envelope.v1+json", envelope, annotations);
    }

    static Map<String, String> annotationsOf(SignatureArtifact artifact) {
        Map<String, String> annotations = new LinkedHashMap<>();
        try {
            Json.MAPPER.readTree(artifact.manifest()).path("layers").get(0).path("annotations").fields()
                    .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().textValue()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return annotations;
    }

    @Test
    void aTrustedRootThatIsNotJsonIsRefusedWithAReason() {
        assertThatThrownBy(() -> SigstoreTrustedRoots.parse("x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a Sigstore trusted root: malformed trusted_root.json: unexpected");
        assertThatThrownBy(() -> SigstoreTrustedRoots.parse("{\"mediaType\":\"application/json\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("mediaType is not application/vnd.dev.sigstore.trustedroot+json");
        assertThat(root.certificateAuthorities()).singleElement().satisfies(ca -> assertThat(ca.chain()).hasSize(2));
        assertThat(root.transparencyLogs()).singleElement().satisfies(log -> assertThat(log.logId()).isEqualTo(sigstore.logId()));
    }
}
