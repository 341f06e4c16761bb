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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real bundles signed by the Sigstore public-good instance (sigstore-conformance's test assets), verified offline
 * against the public-good trusted_root.json; see src/test/resources/dev/stowage/signatures/sigstore/README.md.
 */
class ConformanceBundlesTest {
    /** The artifact the conformance bundles sign: sigstore-conformance's test/assets/a.txt. */
    static final Digest A_TXT = Digest.parse("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
    static final String IDENTITY = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
            + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final Digest ARTIFACT = Digest.sha256Of("the referrer".getBytes(StandardCharsets.UTF_8));

    static byte[] resource(String name) {
        try (InputStream in = ConformanceBundlesTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    static SigstoreTrustedRoot publicGood() {
        return SigstoreTrustedRoots.parse("public good", resource("public-good-trusted_root.json"));
    }

    static TrustMaterial keyless(TrustPolicy.KeylessIdentity identity) {
        return new TrustMaterial(new TrustPolicy(List.of(), List.of(), List.of(identity)), List.of(publicGood()));
    }

    static TrustPolicy.KeylessIdentity exactly(String issuer, String subject) {
        return new TrustPolicy.KeylessIdentity("conformance beacon", Optional.of(issuer), Optional.empty(),
                Optional.of(subject), Optional.empty());
    }

    static SignatureCheck verify(String bundle, Digest subject, TrustMaterial trust) {
        return SigstoreBundleFormat.verifyBundle(ARTIFACT, resource("conformance/" + bundle + ".json"), subject, trust);
    }

    @ParameterizedTest
    @ValueSource(strings = {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3"})
    void keylessBundlesOfEveryVersionVerifyForTheRightIdentity(String bundle) {
        SignatureCheck check = verify(bundle, A_TXT, keyless(exactly(ISSUER, IDENTITY)));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.kind()).isEqualTo(SignatureKind.SIGSTORE_BUNDLE);
        assertThat(check.trustedBy()).contains("keyless identity conformance beacon");
        assertThat(check.signer().orElseThrow().identity()).contains(IDENTITY);
        assertThat(check.signer().orElseThrow().oidcIssuer()).contains(ISSUER);
        assertThat(check.signedAt()).isPresent();
    }

    @Test
    void aDsseBundleIsAnAttestationAboutItsSubject() {
        TrustPolicy.KeylessIdentity anyGithubWorkflow = new TrustPolicy.KeylessIdentity("github", Optional.of(ISSUER),
                Optional.empty(), Optional.empty(), Optional.of(Pattern.compile("https://github\\.com/.*")));

        SignatureCheck check = verify("happy-path-intoto-in-dsse-v3", A_TXT, keyless(anyGithubWorkflow));

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.kind()).isEqualTo(SignatureKind.IN_TOTO);
        assertThat(check.signer().orElseThrow().identity().orElseThrow()).startsWith("https://github.com/");
    }

    @Test
    void aDsseBundleAboutAnotherDigestIsRefused() {
        TrustPolicy.KeylessIdentity any = new TrustPolicy.KeylessIdentity("any", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
        Digest other = Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8));

        SignatureCheck check = verify("happy-path-intoto-in-dsse-v3", other, keyless(any));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("in-toto statement names sha256:" + A_TXT.hex() + ", not the manifest " + other);
    }

    @Test
    void anotherIdentityIsNotAllowed() {
        SignatureCheck check = verify("happy-path-v0.3", A_TXT,
                keyless(exactly(ISSUER, "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main")));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("identity " + IDENTITY + " (issuer " + ISSUER + ") not allowed by the policy");
        assertThat(check.signer().orElseThrow().identity()).contains(IDENTITY);
    }

    @Test
    void anotherIssuerIsNotAllowed() {
        SignatureCheck check = verify("happy-path-v0.3", A_TXT, keyless(exactly("https://accounts.google.com", IDENTITY)));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).contains("not allowed by the policy");
    }

    @Test
    void anotherDigestIsRefused() {
        Digest other = Digest.sha256Of("not a.txt".getBytes(StandardCharsets.UTF_8));

        SignatureCheck check = verify("happy-path-v0.3", other, keyless(exactly(ISSUER, IDENTITY)));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("signed message digest names " + A_TXT + ", not the manifest " + other);
    }

    @Test
    void aTrustedRootWithoutTheFulcioCaIsRefused() {
        SigstoreTrustedRoot root = publicGood();
        SigstoreTrustedRoot withoutFulcio = new SigstoreTrustedRoot("rekor only", List.of(), root.transparencyLogs(),
                root.ctLogs());
        TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(), List.of(), List.of(exactly(ISSUER, IDENTITY))),
                List.of(withoutFulcio));

        SignatureCheck check = verify("happy-path-v0.3", A_TXT, trust);

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("certificate not issued by an installed Fulcio root");
    }

    @Test
    void withoutAnyTrustedRootKeylessCannotVerify() {
        TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(), List.of(), List.of(exactly(ISSUER, IDENTITY))),
                List.of());

        SignatureCheck check = verify("happy-path-v0.3", A_TXT, trust);

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("Rekor log c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
                + " is not in an installed trusted root");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            set-invalid-signature_fail          | Rekor entry signature invalid
            inclusion-proof-corrupted-hash_fail | inclusion proof does not lead to the root hash
            checkpoint-wrong-roothash_fail      | checkpoint names another tree size than the inclusion proof
            signature-mismatch_fail             | signature does not verify with its certificate's key (payload altered?)
            wrong-hashedrekord-entry_fail       | Rekor hashedrekord entry is about another
            message-digest-mismatch_fail        | signed message digest names
            bundle-malformed-json_fail          | malformed bundle: unexpected end
            """)
    void conformanceFailuresAreRefusedWithTheReason(String bundle, String reason) {
        SignatureCheck check = verify(bundle, A_TXT, keyless(exactly(ISSUER, IDENTITY)));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).startsWith(reason);
    }

    @Test
    void aPublicKeyBundleVerifiesWithTheKeyInThePolicy() throws Exception {
        PublicKey key = Crypto.pemPublicKey(new String(resource("conformance/managed-key-happy-path.pub"),
                StandardCharsets.US_ASCII), "key");
        TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(new TrustPolicy.TrustedKey("managed", key)),
                List.of(), List.of()), List.of(publicGood()));

        SignatureCheck check = verify("managed-key-happy-path", A_TXT, trust);

        assertThat(check.verified()).as(check.reason()).isTrue();
        assertThat(check.trustedBy()).contains("key managed");
        assertThat(check.signedAt()).isPresent();
    }

    @Test
    void aPublicKeyBundleIsRefusedWithAnotherKey() throws Exception {
        // conformance's managed-key-wrong-key_fail/key.pub is not even a key; any other P-256 key is wrong
        PublicKey wrong = CosignSigningTest.keys("P-256").getPublic();
        TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(new TrustPolicy.TrustedKey("other", wrong)),
                List.of(), List.of()), List.of(publicGood()));

        SignatureCheck check = verify("managed-key-happy-path", A_TXT, trust);

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("key not in the policy: no trusted key verifies the signature");
    }

    @Test
    void aKeyThatIsNotAKeyIsMalformed() {
        assertThatThrownBy(() -> Crypto.pemPublicKey(new String(resource("conformance/managed-key-wrong-key.pub"),
                StandardCharsets.US_ASCII), "key")).hasMessage("malformed key: not a public key (ECDSA, Ed25519 or RSA)");
    }

    @Test
    void aBundleReferrerIsRecognisedAndVerified() {
        byte[] bundle = resource("conformance/happy-path-v0.3.json");
        Digest layer = Digest.sha256Of(bundle);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\""
                + Digest.sha256Of(empty) + "\"},\"layers\":[{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                + "\"size\":" + bundle.length + ",\"digest\":\"" + layer + "\"}],"
                + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":1,\"digest\":\"" + A_TXT + "\"}}";
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        SignatureArtifact artifact = new SignatureArtifact(Digest.sha256Of(bytes), "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.dev.sigstore.bundle.v0.3+json", bytes, Map.of(layer, bundle), SignatureArtifact.Origin.REFERRER);
        SigstoreBundleFormat format = new SigstoreBundleFormat();

        assertThat(format.recognises(artifact)).isTrue();
        assertThat(new CosignFormat().recognises(artifact)).isFalse();
        List<SignatureCheck> checks = format.verify(artifact, A_TXT, keyless(exactly(ISSUER, IDENTITY)), Instant.now());
        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.verified()).as(check.reason()).isTrue();
            assertThat(check.artifact()).isEqualTo(artifact.digest());
        });
    }
}
