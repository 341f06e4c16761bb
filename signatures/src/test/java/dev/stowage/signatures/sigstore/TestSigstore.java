package dev.stowage.signatures.sigstore;

import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Sigstore instance made in the test: a "Fulcio" root and intermediate CA issuing short-lived code-signing
 * certificates with Fulcio's OIDC issuer extensions, and a "Rekor" key signing entry timestamps, described by a
 * trusted_root.json written here as the public-good one is.
 */
final class TestSigstore {
    static final Base64.Encoder B64 = Base64.getEncoder();
    private static final AtomicLong SERIAL = new AtomicLong(1);

    final KeyPair rootKey = keys("P-384");
    final KeyPair intermediateKey = keys("P-384");
    final KeyPair rekorKey = keys("P-256");
    final Instant caFrom = Instant.parse("2024-01-01T00:00:00Z");
    final X509Certificate root = ca("CN=test-fulcio-root,O=stowage-test", rootKey, "CN=test-fulcio-root,O=stowage-test",
            rootKey.getPrivate());
    final X509Certificate intermediate = ca("CN=test-fulcio-intermediate,O=stowage-test", intermediateKey,
            "CN=test-fulcio-root,O=stowage-test", rootKey.getPrivate());

    static KeyPair keys(String type) {
        try {
            return CosignSigningTest.keys(type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] logId() {
        return Crypto.sha256(rekorKey.getPublic().getEncoded());
    }

    String trustedRootJson() {
        return "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
                + "\"tlogs\":[{\"baseUrl\":\"https://rekor.test\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\""
                + B64.encodeToString(rekorKey.getPublic().getEncoded()) + "\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\","
                + "\"validFor\":{\"start\":\"" + caFrom + "\"}},\"logId\":{\"keyId\":\"" + B64.encodeToString(logId()) + "\"}}],"
                + "\"certificateAuthorities\":[{\"subject\":{\"organization\":\"stowage-test\",\"commonName\":\"test-fulcio\"},"
                + "\"uri\":\"https://fulcio.test\",\"certChain\":{\"certificates\":[{\"rawBytes\":\"" + der(intermediate)
                + "\"},{\"rawBytes\":\"" + der(root) + "\"}]},\"validFor\":{\"start\":\"" + caFrom + "\"}}],"
                + "\"ctlogs\":[],\"timestampAuthorities\":[]}";
    }

    /** A Fulcio-style leaf for {@code key}, valid ten minutes from {@code issued}. */
    X509Certificate leaf(KeyPair key, String identity, String oidcIssuer, Instant issued, boolean legacyIssuerExtension) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=test-fulcio-intermediate,O=stowage-test"),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(issued), Date.from(issued.plus(10, ChronoUnit.MINUTES)),
                    new X500Name(""), key.getPublic());
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            int type = identity.contains("@") && !identity.contains("://") ? GeneralName.rfc822Name : GeneralName.uniformResourceIdentifier;
            builder.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(type, identity)));
            if (legacyIssuerExtension) {
                builder.addExtension(new ASN1ObjectIdentifier(Fulcio.OIDC_ISSUER_LEGACY), false,
                        oidcIssuer.getBytes(StandardCharsets.UTF_8));
            } else {
                builder.addExtension(new ASN1ObjectIdentifier(Fulcio.OIDC_ISSUER), false, new DERUTF8String(oidcIssuer));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA384withECDSA").build(intermediateKey.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate ca(String subject, KeyPair key, String issuer, PrivateKey signer) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(caFrom), Date.from(caFrom.plus(3650, ChronoUnit.DAYS)),
                    new X500Name(subject), key.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA384withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String der(X509Certificate certificate) {
        try {
            return B64.encodeToString(certificate.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(X509Certificate certificate) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                Base64.getDecoder().decode(der(certificate))) + "\n-----END CERTIFICATE-----\n";
    }

    static byte[] sign(PrivateKey key, byte[] message) {
        try {
            String algorithm = switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> "Ed25519";
            };
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A hashedrekord body as Rekor canonicalizes it. */
    static byte[] hashedRekord(byte[] payload, byte[] signature, X509Certificate certificate) {
        return ("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\","
                + "\"value\":\"" + HexFormat.of().formatHex(Crypto.sha256(payload)) + "\"}},\"signature\":{\"content\":\""
                + B64.encodeToString(signature) + "\",\"publicKey\":{\"content\":\""
                + B64.encodeToString(pem(certificate).getBytes(StandardCharsets.UTF_8)) + "\"}}}}").getBytes(StandardCharsets.UTF_8);
    }

    /** cosign's bundle annotation for {@code body}, with a SET by this Rekor (or by {@code setSigner} when forging). */
    String cosignBundle(byte[] body, Instant integrated, PrivateKey setSigner) {
        Rekor.Entry entry = new Rekor.Entry(body, integrated.getEpochSecond(), 4242, logId(), java.util.Optional.empty(),
                java.util.Optional.empty());
        byte[] set = sign(setSigner, entry.setPayload());
        return "{\"SignedEntryTimestamp\":\"" + B64.encodeToString(set) + "\",\"Payload\":{\"body\":\""
                + B64.encodeToString(body) + "\",\"integratedTime\":" + integrated.getEpochSecond() + ",\"logIndex\":4242,"
                + "\"logID\":\"" + HexFormat.of().formatHex(logId()) + "\"}}";
    }

    /** A cosign tag-scheme manifest with one layer of {@code mediaType} holding {@code payload} and these annotations. */
    static SignatureArtifact cosignArtifact(String mediaType, byte[] payload, Map<String, String> annotations) {
        Digest payloadDigest = Digest.sha256Of(payload);
        byte[] config = CosignSigning.config(payloadDigest);
        StringBuilder json = new StringBuilder();
        annotations.forEach((k, v) -> json.append(json.isEmpty() ? "" : ",").append(quote(k)).append(':').append(quote(v)));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length
                + ",\"digest\":\"" + Digest.sha256Of(config) + "\"},\"layers\":[{\"mediaType\":\"" + mediaType + "\",\"size\":"
                + payload.length + ",\"digest\":\"" + payloadDigest + "\",\"annotations\":{" + json + "}}]}";
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(Digest.sha256Of(config), config);
        blobs.put(payloadDigest, payload);
        return new SignatureArtifact(Digest.sha256Of(bytes), "application/vnd.oci.image.manifest.v1+json", null, bytes,
                blobs, SignatureArtifact.Origin.COSIGN_TAG);
    }

    static String quote(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
