package dev.stowage.signatures.notation;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import dev.stowage.signatures.TrustPolicy.X509TrustStoreType;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.stowage.signatures.notation.NotationFixturesTest.single;
import static dev.stowage.signatures.notation.NotationTestSupport.artifact;
import static org.assertj.core.api.Assertions.assertThat;

/** Envelopes an attacker builds to get a Notation signature accepted that the Notary Project's rules refuse. */
class NotationAttackTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant EXPIRES = T0.plus(Duration.ofDays(365));
    private static final Instant AFTER_EXPIRY = EXPIRES.plus(Duration.ofDays(30));
    private static final byte[] IMAGE = "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final Digest SUBJECT = Digest.sha256Of(IMAGE);

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
        leaf = TestPki.leaf(root, rootKeys, leafKeys, "C=US, ST=WA, O=Acme, CN=Builder", T0, EXPIRES,
                KeyPurposeId.id_kp_codeSigning);
    }

    private static TrustMaterial store(X509TrustStoreType type) {
        return new TrustMaterial(new TrustPolicy(List.of(),
                List.of(new TrustPolicy.X509TrustStore("acme", List.of(root), List.of("*"), type)), List.of()), List.of());
    }

    private static Map<String, Object> header(String scheme) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "ES256");
        header.put("cty", "application/vnd.cncf.notary.payload.v1+json");
        header.put(NotationEnvelope.SIGNING_SCHEME, scheme);
        if (scheme.equals(NotationEnvelope.SCHEME_SIGNING_AUTHORITY)) {
            // a time the attacker picks, while the certificate was still valid
            header.put(NotationEnvelope.AUTHENTIC_SIGNING_TIME, NotationSigning.rfc3339(T0.plus(Duration.ofDays(10))));
            header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME, NotationEnvelope.AUTHENTIC_SIGNING_TIME));
        } else {
            header.put(NotationEnvelope.SIGNING_TIME, NotationSigning.rfc3339(T0.plus(Duration.ofDays(10))));
            header.put("crit", List.of(NotationEnvelope.SIGNING_SCHEME));
        }
        return header;
    }

    private SignatureCheck verify(String scheme, TrustMaterial trust, Instant now) throws Exception {
        byte[] payload = ("{\"targetArtifact\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + SUBJECT + "\",\"size\":" + IMAGE.length + "}}").getBytes(StandardCharsets.UTF_8);
        byte[] envelope = NotationVerificationTest.jws(header(scheme), payload, leafKeys.getPrivate(), List.of(leaf, root));
        return single(format.verify(artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, SUBJECT), SUBJECT, trust, now));
    }

    /**
     * The attack: a signer whose certificate has expired (or whose key leaked after it expired) re-labels the envelope
     * {@code notary.x509.signingAuthority} and dates it back into the certificate's validity. A {@code ca} store's
     * signer is held to "valid now" (no authentic timestamp); only a signing authority's time is believed, as
     * notation-go loads only signingAuthority stores for that scheme.
     */
    @Test
    void aCaStoreSignerCannotBackdateItsSignatureWithTheSigningAuthorityScheme() throws Exception {
        SignatureCheck check = verify(NotationEnvelope.SCHEME_SIGNING_AUTHORITY, store(X509TrustStoreType.CA), AFTER_EXPIRY);

        assertThat(check.verified()).as(check.reason()).isFalse();
        assertThat(check.reason()).isEqualTo("the trust policy has no signingAuthority trust store for "
                + "notary.x509.signingAuthority signatures");
    }

    @Test
    void aSigningAuthorityStoreBelievesTheAuthenticSigningTime() throws Exception {
        SignatureCheck check = verify(NotationEnvelope.SCHEME_SIGNING_AUTHORITY, store(X509TrustStoreType.SIGNING_AUTHORITY),
                AFTER_EXPIRY);

        assertThat(check.verified()).as(check.reason()).isTrue();
    }

    @Test
    void aSigningAuthorityStoreDoesNotVerifyPlainX509Signatures() throws Exception {
        assertThat(verify(NotationEnvelope.SCHEME_X509, store(X509TrustStoreType.CA), T0.plus(Duration.ofDays(20)))
                .verified()).isTrue();

        SignatureCheck check = verify(NotationEnvelope.SCHEME_X509, store(X509TrustStoreType.SIGNING_AUTHORITY),
                T0.plus(Duration.ofDays(20)));

        assertThat(check.verified()).isFalse();
        assertThat(check.reason()).isEqualTo("the trust policy has no ca trust store for notary.x509 signatures");
    }

    /**
     * A certificate signed with a broken hash (MD5 collisions forged a CA in 2008; SHA-1 chosen-prefix collisions are
     * practical) proves nothing about who the CA certified. Go's x509, which notation verifies with, refuses both;
     * the JDK's {@code X509Certificate.verify} accepts them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"MD5withRSA", "SHA1withRSA"})
    void aCertificateSignedWithABrokenHashIsRefused(String certificateSignature) throws Exception {
        KeyPair rsaRootKeys = TestPki.rsa(2048);
        X509Certificate rsaRoot = TestPki.root(rsaRootKeys, "C=US, O=Acme, CN=Acme RSA Root", T0, T0.plus(Duration.ofDays(3650)));
        X509Certificate weakLeaf = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                X500Name.getInstance(rsaRoot.getSubjectX500Principal().getEncoded()), BigInteger.valueOf(77),
                Date.from(T0), Date.from(EXPIRES), new X500Name("C=US, ST=WA, O=Acme, CN=Builder"), leafKeys.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning))
                .build(new JcaContentSignerBuilder(certificateSignature).build(rsaRootKeys.getPrivate())));
        byte[] payload = ("{\"targetArtifact\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + SUBJECT + "\",\"size\":" + IMAGE.length + "}}").getBytes(StandardCharsets.UTF_8);
        byte[] envelope = NotationVerificationTest.jws(header(NotationEnvelope.SCHEME_X509), payload, leafKeys.getPrivate(),
                List.of(weakLeaf, rsaRoot));
        TrustMaterial trust = new TrustMaterial(new TrustPolicy(List.of(),
                List.of(new TrustPolicy.X509TrustStore("acme", List.of(rsaRoot), List.of("*"))), List.of()), List.of());

        SignatureCheck check = single(format.verify(artifact(envelope, SignatureMediaTypes.JWS_ENVELOPE, SUBJECT), SUBJECT,
                trust, T0.plus(Duration.ofDays(20))));

        assertThat(check.verified()).as(check.reason()).isFalse();
        assertThat(check.reason()).startsWith("certificate CN=Builder,O=Acme,ST=WA,C=US is signed with "
                + certificateSignature + ", which Notation does not accept");
    }
}
