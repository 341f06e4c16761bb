package dev.stowage.signatures.notation;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * The six signature algorithms the Notary Project allows, each fixed by the signing certificate's key: RSA 2048/3072/4096
 * with RSASSA-PSS over SHA-256/384/512, ECDSA on P-256/P-384/P-521 with SHA-256/384/512 (signature-specification.md,
 * "Algorithm Selection"). The envelope's {@code alg} must be the one its key implies, so an attacker cannot substitute one.
 * ECDSA signatures are the raw {@code r || s} form JWS and COSE both use (JCA's "P1363" format).
 */
enum NotationAlgorithm {
    PS256("PS256", -37, "SHA-256", 32),
    PS384("PS384", -38, "SHA-384", 48),
    PS512("PS512", -39, "SHA-512", 64),
    ES256("ES256", -7, "SHA-256", 32),
    ES384("ES384", -35, "SHA-384", 48),
    ES512("ES512", -36, "SHA-512", 64);

    private final String jwsName;
    private final long coseId;
    private final String hash;
    private final int hashBytes;

    NotationAlgorithm(String jwsName, long coseId, String hash, int hashBytes) {
        this.jwsName = jwsName;
        this.coseId = coseId;
        this.hash = hash;
        this.hashBytes = hashBytes;
    }

    String jwsName() { return jwsName; }

    long coseId() { return coseId; }

    boolean rsa() { return name().startsWith("PS"); }

    static Optional<NotationAlgorithm> ofJws(String name) {
        for (NotationAlgorithm a : values()) if (a.jwsName.equals(name)) return Optional.of(a);
        return Optional.empty();
    }

    static Optional<NotationAlgorithm> ofCose(long id) {
        for (NotationAlgorithm a : values()) if (a.coseId == id) return Optional.of(a);
        return Optional.empty();
    }

    /** The algorithm a key must sign with, or empty with no Notation algorithm for it (RSA 1024, P-224, Ed25519...). */
    static Optional<NotationAlgorithm> forKey(java.security.Key key) {
        if (key instanceof RSAKey rsa) {
            return switch (rsa.getModulus().bitLength()) {
                case 2048 -> Optional.of(PS256);
                case 3072 -> Optional.of(PS384);
                case 4096 -> Optional.of(PS512);
                default -> Optional.empty();
            };
        }
        if (key instanceof ECKey ec) {
            return switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> Optional.of(ES256);
                case 384 -> Optional.of(ES384);
                case 521 -> Optional.of(ES512);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    /** Describes a key for refusals: "RSA 1024", "EC 224", "Ed25519". */
    static String describe(java.security.Key key) {
        if (key instanceof RSAKey rsa) return "RSA " + rsa.getModulus().bitLength();
        if (key instanceof ECKey ec) return "EC " + ec.getParams().getCurve().getField().getFieldSize();
        return key.getAlgorithm();
    }

    boolean verify(PublicKey key, byte[] signedBytes, byte[] signature) {
        try {
            Signature verifier = engine();
            verifier.initVerify(key);
            verifier.update(signedBytes);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    byte[] sign(PrivateKey key, byte[] signedBytes) throws GeneralSecurityException {
        Signature signer = engine();
        signer.initSign(key);
        signer.update(signedBytes);
        return signer.sign();
    }

    private Signature engine() throws GeneralSecurityException {
        if (rsa()) {
            Signature pss = Signature.getInstance("RSASSA-PSS");
            // JWS (RFC 7518 3.5) and COSE (RFC 8230): MGF1 with the same hash, salt as long as the hash
            pss.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), hashBytes, 1));
            return pss;
        }
        return Signature.getInstance(hash.replace("-", "") + "withECDSAinP1363Format");
    }
}
