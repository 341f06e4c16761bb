package dev.stowage.signatures.notation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.SignatureVerifier;
import dev.stowage.signatures.TrustMaterial;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static dev.stowage.signatures.notation.NotationFixturesTest.single;
import static dev.stowage.signatures.notation.NotationTestSupport.artifact;
import static dev.stowage.signatures.notation.NotationTestSupport.trust;
import static org.assertj.core.api.Assertions.assertThat;

/** Signatures built here exactly as the envelope specifications describe, and every way one must be refused. */
class NotationVerificationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant SIGNED = T0.plus(Duration.ofDays(10));
    private static final Instant NOW = T0.plus(Duration.ofDays(20));
    private static final byte[] IMAGE = "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final Digest SUBJECT = Digest.sha256Of(IMAGE);
    private static final Descriptor SUBJECT_DESCRIPTOR = new Descriptor(MediaTypes.OCI_MANIFEST, SUBJECT, IMAGE.length, null, Map.of());
    private static final String LEAF_SUBJECT = "C=US, ST=WA, L=Seattle, O=Acme, CN=Builder";

    private static KeyPair rootKeys;
    private static X509Certificate root;
    private static KeyPair leafKeys;
    private static X509Certificate leaf;

    private final NotationFormat format = new NotationFormat();

    @BeforeAll
    static void pki() throws Exception {
        rootKeys = TestPki.ec("secp384r1");
        root = TestPki.root(rootKeys, "C=US, O=Acme, CN=Acme Root", T0, T0.plus(Duration.ofDays(3650)));
        leafKeys = TestPki.ec("secp256r1");
        leaf = TestPki.leaf(root, rootKeys, leafKeys, LEAF_SUBJECT, T0, T0.plus(Duration.ofDays(365)),
                KeyPurposeId.id_kp_codeSigning);
    }

    private static TrustMaterial acme(String... identities) {
        return trust("acme", List.of(root), identities.length == 0 ? new String[]{"x509.subject: C=US, ST=WA, O=Acme"} : identities);
    }

    // --- round trips -------------------------------------------------------------------------------------------

    @Test
    void managedSignaturesVerifyWithEveryKeyNotationAllows() throws Exception {
        NotationCertificates.Issued projectRoot = NotationCertificates.projectRoot("acme", T0, Duration.ofDays(3650));
        for (KeyPair keys : List.of(TestPki.ec("secp256r1"), TestPki.ec("secp384r1"), TestPki.ec("secp521r1"),
                TestPki.rsa(2048), TestPki.rsa(3072))) {
            NotationCertificates.Issued signing = NotationCertificates.signingLeaf(projectRoot, "acme", keys, T0,
                    Duration.ofDays(365));
            SignaturePush push = NotationSigning.sign(SUBJECT_DESCRIPTOR, signing.key(), signing.chain(), SIGNED);
            SignatureArtifact artifact = pushed(push);

            SignatureCheck check = single(format.verify(artifact, SUBJECT, trust("project-acme", projectRoot.chain(),
                    "x509.subject: OU=acme, O=Stowage"), NOW));

            assertThat(check.verified()).as(NotationAlgorithm.describe(keys.getPublic()) + ": " + check.reason()).isTrue();
            assertThat(check.trustedBy()).contains("project-acme");
            assertThat(check.signedAt()).contains(SIGNED);
            assertThat(check.signer().orElseThrow().certificateSubject()).contains("CN=acme signing,OU=acme,O=Stowage");
        }
    }

    @Test
    void theVerifierFindsNotationSignaturesAmongOtherArtifacts() {
        NotationCertificates.Issued projectRoot = NotationCertificates.projectRoot("acme", T0, Duration.ofDays(3650));
        NotationCertificates.Issued signing = NotationCertificates.signingLeaf(projectRoot, "acme", T0, Duration.ofDays(365));
        SignatureArtifact notation = pushed(NotationSigning.sign(SUBJECT_DESCRIPTOR, signing.key(), signing.chain(), SIGNED));
        SignatureArtifact sbom = new SignatureArtifact(SUBJECT, MediaTypes.OCI_MANIFEST, "application/spdx+json",
                new byte[0], Map.of(), SignatureArtifact.Origin.REFERRER);

        List<SignatureCheck> checks = new SignatureVerifier(NotationFormats.all()).verify(SUBJECT, List.of(sbom, notation),
                trust("project-acme", projectRoot.chain(), "*"), NOW);

        assertThat(checks).singleElement().satisfies(c -> assertThat(c.verified()).as(c.reason()).isTrue());
    }

    @Test
    void coseEnvelopesBuiltPerTheSpecificationVerify() throws Exception {
        KeyPair rsa = TestPki.rsa(2048);
        X509Certificate rsaLeaf = TestPki.leaf(root, rootKeys, rsa, LEAF_SUBJECT, T0, T0.plus(Duration.ofDays(365)));
        for (var signer : List.of(Map.entry(leafKeys.getPrivate(), leaf), Map.entry(rsa.getPrivate(), rsaLeaf))) {
            byte[] envelope = cose(protectedHeader(signer.getValue()), payload(SUBJECT), signer.getKey(),
                    List.of(signer.getValue(), root));
            SignatureCheck check = verify(envelope, SignatureMediaTypes.COSE_ENVELOPE);
            assertThat(check.verified()).as(check.reason()).isTrue();
            assertThat(check.kind()).isEqualTo(SignatureKind.NOTATION_COSE);
        }
    }

    @Test
    void theSigningAuthoritySchemeUsesTheAuthenticSigningTime() throws Exception {
        Map<String, Object> header = jwsHeader("ES256");
        header.remove(NotationEnvelope.SIGNING_TIME);
        header.put("io.cncf.notary.signingScheme", "notary.x509.signingAuthority");
        header.put(NotationEnvelope.AUTHENTIC_SIGNING_TIME, NotationSigning.rfc3339(SIGNED));
        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME, NotationEnvelope.AUTHENTIC_SIGNING_TIME));
        TrustMaterial signingAuthority = new TrustMaterial(new dev.stowage.signatures.TrustPolicy(List.of(),
                List.of(new dev.stowage.signatures.TrustPolicy.X509TrustStore("acme", List.of(root), List.of("*"),
                        dev.stowage.signatures.TrustPolicy.X509TrustStoreType.SIGNING_AUTHORITY)), List.of()), List.of());
        SignatureArtifact artifact = artifact(jwsOf(header), SignatureMediaTypes.JWS_ENVELOPE, SUBJECT);
        assertThat(single(format.verify(artifact, SUBJECT, signingAuthority, NOW)).verified()).isTrue();

        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME));
        assertThat(verifyJws(header).reason()).isEqualTo("header io.cncf.notary.authenticSigningTime must be marked critical");
    }

    // --- tampering ------------------------------------------------------------------------------------------------

    @Test
    void everyTamperingOfAManagedSignatureFails() throws Exception {
        NotationCertificates.Issued projectRoot = NotationCertificates.projectRoot("acme", T0, Duration.ofDays(3650));
        NotationCertificates.Issued signing = NotationCertificates.signingLeaf(projectRoot, "acme", T0, Duration.ofDays(365));
        NotationCertificates.Issued other = NotationCertificates.signingLeaf(projectRoot, "acme", T0, Duration.ofDays(365));
        TrustMaterial trust = trust("project-acme", projectRoot.chain(), "*");
        byte[] envelope = NotationSigning.jwsEnvelope(SUBJECT_DESCRIPTOR, signing.key(), signing.chain(), SIGNED, Optional.empty());
        Map<String, Object> parsed = JSON.readValue(envelope, Map.class);

        List<Map<String, Object>> tamperings = new ArrayList<>();
        Map<String, Object> header = JSON.readValue(Base64.getUrlDecoder().decode((String) parsed.get("protected")), Map.class);
        header.put(NotationEnvelope.SIGNING_TIME, "2025-01-02T00:00:00Z");
        tamperings.add(with(parsed, "protected", B64URL.encodeToString(JSON.writeValueAsBytes(header))));
        tamperings.add(with(parsed, "payload", B64URL.encodeToString(payload(Digest.sha256Of("other".getBytes())))));
        byte[] signature = Base64.getUrlDecoder().decode((String) parsed.get("signature"));
        signature[7] ^= 0x40;
        tamperings.add(with(parsed, "signature", B64URL.encodeToString(signature)));
        tamperings.add(with(parsed, "header", Map.of("x5c", List.of(
                Base64.getEncoder().encodeToString(other.certificate().getEncoded()),
                Base64.getEncoder().encodeToString(projectRoot.certificate().getEncoded())))));

        for (Map<String, Object> tampered : tamperings) {
            SignatureCheck check = single(format.verify(artifact(JSON.writeValueAsBytes(tampered),
                    SignatureMediaTypes.JWS_ENVELOPE, SUBJECT), SUBJECT, trust, NOW));
            assertThat(check.verified()).isFalse();
            assertThat(check.reason()).contains("does not verify with the signing certificate's key");
        }

        // the layer's bytes changed under an unchanged manifest
        SignaturePush push = NotationSigning.sign(SUBJECT_DESCRIPTOR, signing.key(), signing.chain(), SIGNED);
        SignatureArtifact artifact = pushed(push);
        Map<Digest, byte[]> swapped = new LinkedHashMap<>();
        artifact.blobs().forEach((digest, bytes) -> swapped.put(digest, bytes.length > 2 ? envelope : bytes));
        SignatureCheck check = single(format.verify(new SignatureArtifact(artifact.digest(), artifact.mediaType(),
                artifact.artifactType(), artifact.manifest(), swapped, artifact.origin()), SUBJECT, trust, NOW));
        assertThat(check.reason()).startsWith("the envelope's bytes do not match its digest");
    }

    @Test
    void randomCorruptionNeverVerifiesWhatWasNotSignedAndNeverThrows() throws Exception {
        byte[] jws = jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(), List.of(leaf, root));
        byte[] cose = cose(protectedHeader(leaf), payload(SUBJECT), leafKeys.getPrivate(), List.of(leaf, root));
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            for (var original : List.of(Map.entry(jws, SignatureMediaTypes.JWS_ENVELOPE),
                    Map.entry(cose, SignatureMediaTypes.COSE_ENVELOPE))) {
                byte[] corrupted = original.getKey().clone();
                int position = random.nextInt(corrupted.length);
                corrupted[position] ^= (byte) (1 + random.nextInt(255));
                SignatureCheck check = verify(corrupted, original.getValue());
                if (check.verified()) {
                    // only unsigned bytes may change and still verify (the signing agent, base64's ignored bits):
                    // what was signed, the signature and the chain must be the original's
                    boolean isJws = original.getValue().equals(SignatureMediaTypes.JWS_ENVELOPE);
                    NotationEnvelope before = isJws ? JwsEnvelopes.parse(original.getKey()) : CoseEnvelopes.parse(original.getKey());
                    NotationEnvelope after = isJws ? JwsEnvelopes.parse(corrupted) : CoseEnvelopes.parse(corrupted);
                    assertThat(after.signedBytes()).as("byte " + position).isEqualTo(before.signedBytes());
                    assertThat(after.signature()).isEqualTo(before.signature());
                    assertThat(after.chain()).usingRecursiveComparison().isEqualTo(before.chain());
                }
            }
        }
    }

    // --- certificates and trust -------------------------------------------------------------------------------------

    @Test
    void aCertificateExpiredAtSigningTimeIsRefused() throws Exception {
        X509Certificate expired = TestPki.leaf(root, rootKeys, leafKeys, LEAF_SUBJECT, T0, T0.plus(Duration.ofDays(5)),
                KeyPurposeId.id_kp_codeSigning);
        SignatureCheck check = verify(jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(), List.of(expired, root)),
                SignatureMediaTypes.JWS_ENVELOPE);
        assertThat(check.reason()).isEqualTo("certificate CN=Builder,O=Acme,L=Seattle,ST=WA,C=US expired at "
                + "2025-01-06T00:00:00Z (checked at signing time 2025-01-11T00:00:00Z)");
    }

    @Test
    void aCertificateNotYetValidAtSigningTimeIsRefused() throws Exception {
        X509Certificate early = TestPki.leaf(root, rootKeys, leafKeys, LEAF_SUBJECT, SIGNED.plusSeconds(3600),
                T0.plus(Duration.ofDays(365)), KeyPurposeId.id_kp_codeSigning);
        SignatureCheck check = verify(jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(), List.of(early, root)),
                SignatureMediaTypes.JWS_ENVELOPE);
        assertThat(check.reason()).isEqualTo("certificate CN=Builder,O=Acme,L=Seattle,ST=WA,C=US is not valid until "
                + "2025-01-11T01:00:00Z (checked at signing time 2025-01-11T00:00:00Z)");
    }

    @Test
    void aCertificateThatExpiredSinceSigningIsRefusedWithoutATimestamp() {
        SignatureCheck check = single(format.verify(artifact(jwsOf(jwsHeader("ES256")), SignatureMediaTypes.JWS_ENVELOPE,
                SUBJECT), SUBJECT, acme(), T0.plus(Duration.ofDays(400))));
        assertThat(check.reason()).contains("expired at 2026-01-01T00:00:00Z (checked now, and the signature carries no verified timestamp)");
    }

    @Test
    void aCertificateWithoutCodeSigningUseIsRefused() throws Exception {
        X509Certificate tls = TestPki.leaf(root, rootKeys, leafKeys, LEAF_SUBJECT, T0, T0.plus(Duration.ofDays(365)),
                KeyPurposeId.id_kp_serverAuth);
        SignatureCheck check = verify(jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(), List.of(tls, root)),
                SignatureMediaTypes.JWS_ENVELOPE);
        assertThat(check.reason()).isEqualTo("the signing certificate CN=Builder,O=Acme,L=Seattle,ST=WA,C=US is not a "
                + "code-signing certificate: its extended key usage 1.3.6.1.5.5.7.3.1 is not allowed (only codeSigning)");
    }

    @Test
    void aChainToAnotherRootIsRefused() throws Exception {
        KeyPair strangerKeys = TestPki.ec("secp256r1");
        X509Certificate stranger = TestPki.root(strangerKeys, "C=US, O=Acme, CN=Acme Root", T0, T0.plus(Duration.ofDays(3650)));
        X509Certificate strangerLeaf = TestPki.leaf(stranger, strangerKeys, leafKeys, LEAF_SUBJECT, T0,
                T0.plus(Duration.ofDays(365)), KeyPurposeId.id_kp_codeSigning);
        SignatureCheck check = verify(jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(),
                List.of(strangerLeaf, stranger)), SignatureMediaTypes.JWS_ENVELOPE);
        assertThat(check.reason()).isEqualTo("certificate chain does not lead to trust store acme");
    }

    @Test
    void aChainMissingItsRootIsRefused() throws Exception {
        SignatureCheck check = verify(jws(jwsHeader("ES256"), payload(SUBJECT), leafKeys.getPrivate(), List.of(leaf)),
                SignatureMediaTypes.JWS_ENVELOPE);
        assertThat(check.reason()).contains("which is not self-signed: the chain must end with its root");
    }

    @Test
    void trustedIdentitiesMatchAsNotationMatchesThem() {
        byte[] envelope = jwsOf(jwsHeader("ES256"));
        SignatureArtifact artifact = artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, SUBJECT);
        for (String trusted : List.of("*", "x509.subject: C=US, ST=WA, O=Acme", "x509.subject:CN=Builder,O=Acme,L=Seattle,ST=WA,C=US",
                "x509.subject: C=US, S=WA, O=Acme, CN=Builder", "x509.subject: C=US, ST=WA, O=\\41cme")) {
            assertThat(single(format.verify(artifact, SUBJECT, acme(trusted), NOW)).verified()).as(trusted).isTrue();
        }
        for (String untrusted : List.of("x509.subject: C=US, ST=WA, O=Acme, CN=Other", "x509.subject: C=US, ST=WA, O=acme",
                "x509.subject: C=US, ST=WA, O=Acme, OU=Builders", "x509.subject: C=US, ST=WA, O=Acme+CN=Builder",
                "C=US, ST=WA, O=Acme", "x509.subject: C=US, ST=WA, O=Acme, O=Acme")) {
            SignatureCheck check = single(format.verify(artifact, SUBJECT, acme(untrusted), NOW));
            assertThat(check.verified()).as(untrusted).isFalse();
        }
        assertThat(single(format.verify(artifact, SUBJECT, acme("x509.subject: C=US, ST=WA, O=Acme, CN=Other"), NOW)).reason())
                .isEqualTo("subject CN=Builder,O=Acme,L=Seattle,ST=WA,C=US is not a trusted identity of store acme");
        assertThat(TrustedIdentities.problem("x509.subject: C=US, O=Acme+CN=x")).contains("multi-valued RDNs are not supported");
        assertThat(TrustedIdentities.problem("x509.subject: C=US, ST=WA, O=Acme")).isEmpty();
    }

    // --- envelope rules -------------------------------------------------------------------------------------------

    @Test
    void anUnknownCriticalHeaderIsRefusedInBothEnvelopes() throws Exception {
        Map<String, Object> header = jwsHeader("ES256");
        header.put("io.example.policy", "strict");
        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME, "io.example.policy"));
        assertThat(verifyJws(header).reason()).isEqualTo("unknown critical header \"io.example.policy\"");

        Map<Object, Object> protectedHeader = protectedHeader(leaf);
        protectedHeader.put("io.example.policy", "strict");
        protectedHeader.put(CoseEnvelopes.LABEL_CRIT, List.of(NotationEnvelope.SIGNING_SCHEME, "io.example.policy"));
        SignatureCheck cose = verify(cose(protectedHeader, payload(SUBJECT), leafKeys.getPrivate(), List.of(leaf, root)),
                SignatureMediaTypes.COSE_ENVELOPE);
        assertThat(cose.reason()).isEqualTo("unknown critical header \"io.example.policy\"");

        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME, NotationEnvelope.VERIFICATION_PLUGIN));
        header.put(NotationEnvelope.VERIFICATION_PLUGIN, "com.example.plugin");
        assertThat(verifyJws(header).reason()).contains("asks for a Notation verification plugin");
    }

    @Test
    void anExpiredSignatureIsRefused() {
        Map<String, Object> header = jwsHeader("ES256");
        header.put(NotationEnvelope.EXPIRY, "2025-01-15T00:00:00Z");
        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME, NotationEnvelope.EXPIRY));
        assertThat(verifyJws(header).reason()).isEqualTo("signature expired at 2025-01-15T00:00:00Z");

        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME));
        assertThat(verifyJws(header).reason()).isEqualTo("header io.cncf.notary.expiry must be marked critical");
    }

    @Test
    void anAlgorithmOtherThanTheKeysIsRefused() {
        assertThat(verifyJws(jwsHeader("ES384")).reason())
                .isEqualTo("the envelope says ES384 but the signing certificate's EC 256 key signs with ES256");
        assertThat(verifyJws(jwsHeader("HS256")).reason()).startsWith("algorithm \"HS256\" is not one Notation allows");
        assertThat(verifyJws(jwsHeader("none")).verified()).isFalse();
    }

    @Test
    void missingOrWrongSignedAttributesAreRefused() {
        Map<String, Object> header = jwsHeader("ES256");
        header.put("cty", "application/json");
        assertThat(verifyJws(header).reason()).startsWith("unsupported payload content type \"application/json\"");
        header = jwsHeader("ES256");
        header.remove(NotationEnvelope.SIGNING_TIME);
        assertThat(verifyJws(header).reason()).isEqualTo("io.cncf.notary.signingTime is required under the notary.x509 scheme");
        header = jwsHeader("ES256");
        header.put(NotationEnvelope.SIGNING_SCHEME, "notary.x509.other");
        assertThat(verifyJws(header).reason()).isEqualTo("unsupported signing scheme \"notary.x509.other\"");
        header = jwsHeader("ES256");
        header.remove("crit");
        assertThat(verifyJws(header).reason()).isEqualTo("the crit header is missing or empty");
    }

    @Test
    void malformedEnvelopesAreRefusedWithTheReason() {
        assertThat(verify("{\"payload\":".getBytes(), SignatureMediaTypes.JWS_ENVELOPE).reason())
                .startsWith("malformed JWS: the envelope is not valid JSON: unexpected end");
        assertThat(verify("{\"signatures\":[]}".getBytes(), SignatureMediaTypes.JWS_ENVELOPE).reason())
                .isEqualTo("malformed JWS: only the flattened JSON serialization is supported");
        assertThat(verify("{\"payload\":\"a\",\"payload\":\"b\"}".getBytes(), SignatureMediaTypes.JWS_ENVELOPE).reason())
                .startsWith("malformed JWS: the envelope is not valid JSON: duplicate field 'payload'");
        assertThat(verify("[".repeat(5000).getBytes(), SignatureMediaTypes.JWS_ENVELOPE).reason())
                .startsWith("malformed JWS: the envelope is not valid JSON: nested too deeply");
        assertThat(verify(new byte[]{(byte) 0xd2, (byte) 0x84, 0x40}, SignatureMediaTypes.COSE_ENVELOPE).reason())
                .isEqualTo("malformed COSE: the envelope is not valid CBOR: a length exceeds the input");
        assertThat(verify(new byte[]{(byte) 0x84, 0x40, (byte) 0xa0, 0x40, 0x40}, SignatureMediaTypes.COSE_ENVELOPE).reason())
                .isEqualTo("malformed COSE: not a COSE_Sign1_Tagged message (CBOR tag 18)");
        // a byte string claiming four gigabytes in a six-byte document
        assertThat(verify(new byte[]{(byte) 0xd2, 0x5a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                SignatureMediaTypes.COSE_ENVELOPE).reason()).isEqualTo("malformed COSE: the envelope is not valid CBOR: a string is longer than the input");
    }

    @Test
    void deeplyNestedCborIsRefused() {
        byte[] nested = new byte[200_001];
        nested[0] = (byte) 0xd2;
        java.util.Arrays.fill(nested, 1, nested.length, (byte) 0x81); // arrays of one array of one array...
        assertThat(verify(nested, SignatureMediaTypes.COSE_ENVELOPE).reason())
                .isEqualTo("malformed COSE: the envelope is not valid CBOR: nested deeper than 16");
    }

    @Test
    void tenThousandCertificateChainsAreRefused() throws Exception {
        Map<String, Object> envelope = JSON.readValue(jwsOf(jwsHeader("ES256")), Map.class);
        envelope.put("header", Map.of("x5c", java.util.Collections.nCopies(10_000, "AA==")));
        assertThat(verify(JSON.writeValueAsBytes(envelope), SignatureMediaTypes.JWS_ENVELOPE).reason())
                .isEqualTo("the certificate chain has 10000 certificates, more than 10");

        byte[] protectedBytes = new Cbor.Writer().value(protectedHeader(leaf)).toByteArray();
        Cbor.Writer cose = new Cbor.Writer().tag(18).array(4).bytes(protectedBytes).map(1).integer(33).array(10_000);
        for (int i = 0; i < 10_000; i++) cose.bytes(new byte[]{0});
        byte[] coseBytes = cose.bytes(payload(SUBJECT)).bytes(new byte[64]).toByteArray();
        assertThat(verify(coseBytes, SignatureMediaTypes.COSE_ENVELOPE).reason())
                .isEqualTo("the certificate chain has 10000 certificates, more than 10");
    }

    @Test
    void anOversizedEnvelopeIsNotRead() {
        byte[] huge = new byte[SignatureArtifact.MAX_BLOB_BYTES + 1];
        assertThat(verify(huge, SignatureMediaTypes.JWS_ENVELOPE).reason()).contains("larger than 262144 bytes");
    }

    // --- building envelopes as the specifications say ------------------------------------------------------------

    private SignatureCheck verify(byte[] envelope, String mediaType) {
        return single(format.verify(artifact(envelope, mediaType, SUBJECT), SUBJECT, acme(), NOW));
    }

    private SignatureCheck verifyJws(Map<String, Object> header) {
        return verify(jwsOf(header), SignatureMediaTypes.JWS_ENVELOPE);
    }

    private static byte[] jwsOf(Map<String, Object> header) {
        try {
            return jws(header, payload(SUBJECT), leafKeys.getPrivate(), List.of(leaf, root));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> jwsHeader(String alg) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME));
        header.put("cty", "application/vnd.cncf.notary.payload.v1+json");
        header.put(NotationEnvelope.SIGNING_SCHEME, "notary.x509");
        header.put(NotationEnvelope.SIGNING_TIME, NotationSigning.rfc3339(SIGNED));
        return header;
    }

    private static byte[] payload(Digest digest) {
        return ("{\"targetArtifact\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + digest + "\",\"size\":" + IMAGE.length + "}}").getBytes(StandardCharsets.UTF_8);
    }

    /** signature-envelope-jws.md: sign ASCII(BASE64URL(protected) '.' BASE64URL(payload)); x5c leaf first. */
    static byte[] jws(Map<String, Object> header, byte[] payload, PrivateKey key, List<X509Certificate> chain) throws Exception {
        String protectedPart = B64URL.encodeToString(JSON.writeValueAsBytes(header));
        String payloadPart = B64URL.encodeToString(payload);
        NotationAlgorithm algorithm = NotationAlgorithm.forKey(key).orElseThrow();
        byte[] signature = algorithm.sign(key, (protectedPart + "." + payloadPart).getBytes(StandardCharsets.US_ASCII));
        List<String> x5c = new ArrayList<>();
        for (X509Certificate certificate : chain) x5c.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("payload", payloadPart);
        envelope.put("protected", protectedPart);
        envelope.put("header", Map.of("x5c", x5c, "io.cncf.notary.signingAgent", "test/1.0"));
        envelope.put("signature", B64URL.encodeToString(signature));
        return JSON.writeValueAsBytes(envelope);
    }

    private static Map<Object, Object> protectedHeader(X509Certificate signingCertificate) {
        Map<Object, Object> header = new LinkedHashMap<>();
        header.put(CoseEnvelopes.LABEL_ALG, NotationAlgorithm.forKey(signingCertificate.getPublicKey()).orElseThrow().coseId());
        header.put(CoseEnvelopes.LABEL_CRIT, List.of(NotationEnvelope.SIGNING_SCHEME));
        header.put(CoseEnvelopes.LABEL_CONTENT_TYPE, "application/vnd.cncf.notary.payload.v1+json");
        header.put(NotationEnvelope.SIGNING_SCHEME, "notary.x509");
        header.put(NotationEnvelope.SIGNING_TIME, new Cbor.Tagged(1, SIGNED.getEpochSecond()));
        return header;
    }

    /** signature-envelope-cose.md: 18([<<protected>>, {33: [leaf, ..., root]}, payload, sign(Sig_structure)]). */
    static byte[] cose(Map<Object, Object> protectedHeader, byte[] payload, PrivateKey key, List<X509Certificate> chain)
            throws Exception {
        byte[] protectedBytes = new Cbor.Writer().value(protectedHeader).toByteArray();
        byte[] toBeSigned = new Cbor.Writer().array(4).text("Signature1").bytes(protectedBytes).bytes(new byte[0])
                .bytes(payload).toByteArray();
        byte[] signature = NotationAlgorithm.forKey(key).orElseThrow().sign(key, toBeSigned);
        List<Object> x5chain = new ArrayList<>();
        for (X509Certificate certificate : chain) x5chain.add(certificate.getEncoded());
        Map<Object, Object> unprotected = new LinkedHashMap<>();
        unprotected.put(CoseEnvelopes.LABEL_X5CHAIN, x5chain);
        unprotected.put(NotationEnvelope.SIGNING_AGENT, "test/1.0");
        return new Cbor.Writer().tag(18).array(4).bytes(protectedBytes).value(unprotected).bytes(payload)
                .bytes(signature).toByteArray();
    }

    private static Map<String, Object> with(Map<String, Object> envelope, String member, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(envelope);
        copy.put(member, value);
        return copy;
    }

    private static SignatureArtifact pushed(SignaturePush push) {
        Digest digest = Digest.sha256Of(push.manifest());
        return new SignatureArtifact(digest, push.mediaType(), SignatureMediaTypes.NOTATION_SIGNATURE, push.manifest(),
                push.blobs(), SignatureArtifact.Origin.REFERRER);
    }
}
