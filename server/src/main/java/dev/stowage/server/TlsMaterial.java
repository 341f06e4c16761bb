package dev.stowage.server;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.EncryptionException;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A certificate chain and its private key, read from PEM files and checked to belong together before they are
 * served: a renewal that has replaced one file but not yet the other must not take the registry down. The key may be
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), encrypted PKCS#8, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, also OpenSSL-encrypted
 * with {@code Proc-Type}) or SEC1 ({@code BEGIN EC PRIVATE KEY}, with or without the {@code EC PARAMETERS} block
 * openssl writes before it), as certbot, cert-manager and openssl produce them. The CLI reads client certificates
 * for mutual TLS with it too.
 */
public record TlsMaterial(PrivateKey key, X509Certificate[] chain) {
    /**
     * OpenSSL's key encryption (PBES2 with scrypt or HMAC-SHA256 PBKDF2, its legacy EVP_BytesToKey) is not all in
     * the JDK's providers; Bouncy Castle's is used for decryption only, without installing it JVM-wide.
     */
    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** A leaf expiring sooner than this is served, with a warning at each load. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    /** Why the files cannot be served, as one line naming the file and what to do. */
    static final class Unusable extends IllegalArgumentException {
        Unusable(String message) {
            super("TLS: " + message);
        }
    }

    /** Reads and checks the pair; throws {@link Unusable} when it cannot be served. */
    public static TlsMaterial load(Path certificate, Path key, Optional<String> password) {
        X509Certificate[] chain = readChain(certificate);
        PrivateKey privateKey = readKey(key, password);
        if (!belongTogether(chain[0].getPublicKey(), privateKey)) {
            throw new Unusable("the certificate " + certificate + " does not belong to the private key " + key
                    + " (their public keys differ); install the key the certificate was issued for");
        }
        checkChain(certificate, chain);
        return new TlsMaterial(privateKey, chain);
    }

    /** The leaf's expiry, when it is within {@link #EXPIRY_WARNING} of {@code now}. */
    Optional<Instant> expiresSoon(Instant now) {
        Instant notAfter = chain[0].getNotAfter().toInstant();
        return notAfter.isBefore(now.plus(EXPIRY_WARNING)) ? Optional.of(notAfter) : Optional.empty();
    }

    private static X509Certificate[] readChain(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new Unusable(file + " holds no certificate (expected PEM blocks BEGIN CERTIFICATE, the server's first);"
                        + " point tls.certificate at the certificate chain");
            }
            return certificates.toArray(X509Certificate[]::new);
        } catch (NoSuchFileException e) {
            throw new Unusable("the certificate file " + file + " does not exist; check tls.certificate");
        } catch (IOException e) {
            throw new Unusable("cannot read the certificate file " + file + " (" + e.getMessage() + "); check tls.certificate"
                    + " and the file's permissions");
        } catch (CertificateException e) {
            throw new Unusable(file + " is not a PEM certificate chain (" + oneLine(e) + "); point tls.certificate at the"
                    + " certificate chain, the server's certificate first");
        }
    }

    private static PrivateKey readKey(Path file, Optional<String> password) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            for (Object block = pem.readObject(); block != null; block = pem.readObject()) {
                // Other blocks (EC PARAMETERS before a SEC1 key, a certificate in a combined file) are passed over.
                if (block instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (block instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
                if (block instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    char[] secret = passwordFor(file, password);
                    return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(secret)));
                }
                if (block instanceof PEMEncryptedKeyPair encrypted) {
                    char[] secret = passwordFor(file, password);
                    return converter.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(secret)))
                            .getPrivate();
                }
            }
            throw new Unusable(file + " holds no private key (expected a PEM block such as BEGIN PRIVATE KEY, BEGIN RSA"
                    + " PRIVATE KEY or BEGIN EC PRIVATE KEY); point tls.key at the key file");
        } catch (NoSuchFileException e) {
            throw new Unusable("the private key file " + file + " does not exist; check tls.key");
        } catch (EncryptionException | PKCSException e) {
            throw wrongPassword(file);
        } catch (PEMException e) {
            // A wrong password for a legacy OpenSSL-encrypted key surfaces as a key that does not parse.
            if (password.isPresent() && encryptedLegacy(file)) throw wrongPassword(file);
            throw new Unusable("cannot read the private key " + file + " (" + oneLine(e) + "); write it as PEM (PKCS#8,"
                    + " PKCS#1 or SEC1), for example with openssl pkey -in <key> -out <key>.pem");
        } catch (OperatorCreationException e) {
            throw new Unusable("cannot decrypt the private key " + file + " (" + oneLine(e) + "); re-encrypt it with"
                    + " openssl pkcs8 -topk8 -v2 aes-256-cbc");
        } catch (IOException e) {
            throw new Unusable("cannot read the private key " + file + " (" + oneLine(e) + "); check tls.key and the"
                    + " file's permissions");
        }
    }

    private static Unusable wrongPassword(Path file) {
        return new Unusable("cannot decrypt the private key " + file + " with the configured password; check"
                + " tls.keyPassword (or tls.keyPasswordFile)");
    }

    private static boolean encryptedLegacy(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).contains("Proc-Type: 4,ENCRYPTED");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static char[] passwordFor(Path file, Optional<String> password) {
        return password.orElseThrow(() -> new Unusable("the private key " + file + " is encrypted; set tls.keyPassword"
                + " (STOWAGE_TLS_KEY_PASSWORD) or tls.keyPasswordFile")).toCharArray();
    }

    /**
     * Whether the certificate's public key is the private key's other half: a signature made with the private key
     * must verify with the public one (works for RSA, EC and EdDSA alike, without deriving public keys).
     */
    private static boolean belongTogether(PublicKey publicKey, PrivateKey privateKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null || !sameFamily(publicKey.getAlgorithm(), privateKey.getAlgorithm())) return false;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean sameFamily(String a, String b) {
        return normalise(a).equals(normalise(b));
    }

    private static String normalise(String algorithm) {
        return switch (algorithm) {
            case "ECDSA" -> "EC";
            case "Ed25519", "Ed448" -> "EdDSA";
            default -> algorithm;
        };
    }

    /** Leaf first, each certificate signed by the next; the leaf within its validity. */
    private static void checkChain(Path file, X509Certificate[] chain) {
        try {
            chain[0].checkValidity();
        } catch (CertificateExpiredException e) {
            throw new Unusable("the certificate " + file + " expired on " + chain[0].getNotAfter().toInstant()
                    + "; install a renewed certificate");
        } catch (CertificateNotYetValidException e) {
            throw new Unusable("the certificate " + file + " is not valid before " + chain[0].getNotBefore().toInstant()
                    + "; check the system clock or the certificate");
        }
        for (int i = 0; i + 1 < chain.length; i++) {
            try {
                chain[i].verify(chain[i + 1].getPublicKey());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new Unusable("in " + file + ", certificate " + (i + 1) + " (" + chain[i].getSubjectX500Principal().getName()
                        + ") is not signed by certificate " + (i + 2) + " (" + chain[i + 1].getSubjectX500Principal().getName()
                        + "); the chain must be the server's certificate first, then each issuer in turn");
            }
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
