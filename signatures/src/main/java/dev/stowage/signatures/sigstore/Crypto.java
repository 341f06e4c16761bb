package dev.stowage.signatures.sigstore;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signature schemes Sigstore clients use, by key type, as cosign and sigstore-go pick them: ECDSA with the curve's
 * hash (SHA-256 for P-256; P-384 and P-521 also tried with SHA-256, which older cosign used for every curve), Ed25519
 * over the message itself, RSA PKCS#1 v1.5 or PSS with SHA-256. No algorithm is read from the signature: the key
 * decides, as the cosign specification requires.
 */
final class Crypto {
    /** A certificate chain longer than this is no chain anyone issues; it is refused before any is parsed. */
    static final int MAX_CHAIN = 10;
    private static final Pattern PEM_CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]{1,16384}?)-----END CERTIFICATE-----");
    private static final Pattern PEM_PUBLIC_KEY = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]{1,16384}?)-----END PUBLIC KEY-----");
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private Crypto() {}

    /** The key id Stowage shows: SHA-256 of the SubjectPublicKeyInfo, hex. */
    static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(sha256(key.getEncoded()));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} is {@code key}'s signature over {@code message}. Never throws. */
    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        for (String algorithm : algorithms(key)) {
            try {
                Signature verifier = Signature.getInstance(algorithm, BC);
                if (algorithm.equals("RSASSA-PSS")) {
                    verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                }
                verifier.initVerify(key);
                verifier.update(message);
                if (verifier.verify(signature)) return true;
            } catch (GeneralSecurityException | RuntimeException e) {
                // a signature that does not even parse for this scheme does not verify; the next scheme may apply
            }
        }
        return false;
    }

    /**
     * Whether {@code signature} is {@code key}'s signature over a message whose SHA-256 is {@code sha256}: what a
     * Sigstore bundle's messageSignature carries, where only the artifact's digest is at hand. Ed25519 signs the
     * message itself, so it cannot be checked from a digest.
     */
    static boolean verifiesDigest(PublicKey key, byte[] sha256, byte[] signature) {
        try {
            if (key instanceof ECPublicKey) {
                Signature verifier = Signature.getInstance("NONEwithECDSA", BC);
                verifier.initVerify(key);
                verifier.update(sha256);
                return verifier.verify(signature);
            }
            if (key instanceof RSAPublicKey) {
                Signature pkcs1 = Signature.getInstance("NONEwithRSA", BC);
                pkcs1.initVerify(key);
                pkcs1.update(concat(SHA256_DIGEST_INFO, sha256));
                if (pkcs1.verify(signature)) return true;
                Signature pss = Signature.getInstance("NONEwithRSASSA-PSS", BC);
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                pss.initVerify(key);
                pss.update(sha256);
                return pss.verify(signature);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** DER prefix of a PKCS#1 DigestInfo for SHA-256. */
    private static final byte[] SHA256_DIGEST_INFO = HexFormat.of().parseHex("3031300d060960864801650304020105000420");

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<String> algorithms(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits > 384) return List.of("SHA512withECDSA", "SHA256withECDSA");
            if (bits > 256) return List.of("SHA384withECDSA", "SHA256withECDSA");
            return List.of("SHA256withECDSA");
        }
        if (key instanceof RSAPublicKey) return List.of("SHA256withRSA", "RSASSA-PSS");
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) return List.of("Ed25519");
        return List.of();
    }

    static X509Certificate certificate(byte[] der, String what) throws Rejected {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw Rejected.malformed(what + ": not an X.509 certificate");
        }
    }

    /** The certificates of a PEM text, in order; at most {@link #MAX_CHAIN}, counted before any is decoded. */
    static List<X509Certificate> pemCertificates(String pem, String what) throws Rejected {
        int count = count(pem, "-----BEGIN CERTIFICATE-----");
        if (count > MAX_CHAIN) throw new Rejected(what + " has " + count + " certificates (at most " + MAX_CHAIN + ")");
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher matcher = PEM_CERTIFICATE.matcher(pem);
        while (matcher.find()) {
            certificates.add(certificate(mimeBase64(matcher.group(1), what), what));
        }
        if (certificates.size() != count || certificates.isEmpty()) throw Rejected.malformed(what + ": not PEM certificates");
        return certificates;
    }

    static PublicKey pemPublicKey(String pem, String what) throws Rejected {
        Matcher matcher = PEM_PUBLIC_KEY.matcher(pem);
        if (!matcher.find()) throw Rejected.malformed(what + ": not a PEM public key");
        return publicKey(mimeBase64(matcher.group(1), what), what);
    }

    static PublicKey publicKey(byte[] spki, String what) throws Rejected {
        for (String algorithm : List.of("EC", "Ed25519", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm, BC).generatePublic(new X509EncodedKeySpec(spki));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next key type
            }
        }
        throw Rejected.malformed(what + ": not a public key (ECDSA, Ed25519 or RSA)");
    }

    private static byte[] mimeBase64(String text, String what) throws Rejected {
        try {
            return Base64.getMimeDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw Rejected.malformed(what + ": bad base64 in PEM");
        }
    }

    static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) count++;
        return count;
    }
}
