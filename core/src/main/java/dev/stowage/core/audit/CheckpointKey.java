package dev.stowage.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's Ed25519 key for signing audit checkpoints, kept in a file outside the database (whoever can write the
 * database must not be able to sign). The file holds the private key (PKCS#8) and the public key (X.509) as PEM;
 * it is created with mode 0600. The key id is the public key's fingerprint: the first 16 bytes of the SHA-256 of
 * its X.509 encoding, in hex.
 */
public final class CheckpointKey {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String id;

    private CheckpointKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.id = idOf(publicKey);
    }

    /** The key in {@code file}, or a new one written there (mode 0600) when the file does not exist. */
    public static CheckpointKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) return load(file);
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
        String text = pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE)));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            return load(file); // another process made it first
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        return new CheckpointKey(pair.getPrivate(), pair.getPublic());
    }

    /** The key in {@code file}; an IllegalArgumentException naming the file when it holds none. */
    public static CheckpointKey load(Path file) throws IOException {
        Map<String, byte[]> blocks = pemBlocks(Files.readString(file, StandardCharsets.US_ASCII));
        if (!blocks.containsKey("PRIVATE KEY") || !blocks.containsKey("PUBLIC KEY")) {
            throw new IllegalArgumentException(file + " is not an audit checkpoint key (it needs a PRIVATE KEY and a "
                    + "PUBLIC KEY PEM block); move it away and a new key is made at the next start");
        }
        try {
            KeyFactory keys = KeyFactory.getInstance("Ed25519");
            return new CheckpointKey(keys.generatePrivate(new PKCS8EncodedKeySpec(blocks.get("PRIVATE KEY"))),
                    keys.generatePublic(new X509EncodedKeySpec(blocks.get("PUBLIC KEY"))));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " does not hold an Ed25519 key pair: " + e.getMessage());
        }
    }

    /** Every public key in a PEM file (a node's key file, or {@code stowage audit public-key} output). */
    public static List<PublicKey> readPublicKeys(Path file) throws IOException {
        List<PublicKey> out = new ArrayList<>();
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (!m.group(1).equals("PUBLIC KEY")) continue;
            try {
                out.add(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(decode(m.group(2)))));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(file + " holds a public key that is not Ed25519");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        return out;
    }

    public String id() {
        return id;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /** A checkpoint for the chain's head as given, signed now. */
    public AuditCheckpoint sign(long sequence, String hash, Instant at) {
        AuditCheckpoint unsigned = new AuditCheckpoint(sequence, hash, at, id, "");
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(unsigned.signedText());
            return new AuditCheckpoint(sequence, hash, unsigned.at(), id,
                    Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code checkpoint} carries a valid signature by {@code key} (and names that key). */
    public static boolean verifies(AuditCheckpoint checkpoint, PublicKey key) {
        if (!checkpoint.signed() || !checkpoint.keyId().equals(idOf(key))) return false;
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(checkpoint.signedText());
            return verifier.verify(Base64.getUrlDecoder().decode(checkpoint.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public static String idOf(PublicKey key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(sha, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether others than the owner may read the key file (it should be 0600); false where there are no modes. */
    public static boolean readableByOthers(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) return false;
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
    }

    private static Map<String, byte[]> pemBlocks(String text) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) out.putIfAbsent(m.group(1), decode(m.group(2)));
        return out;
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
