package dev.stowage.core.spi;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Seals the secrets a store must keep readable (token signing keys, webhook HMAC keys, TOTP seeds) with a key kept
 * outside the database, so that a copy of the database alone cannot mint tokens or forge signatures.
 *
 * <p>AES-256-GCM. A sealed value is {@code v1:<base64 of nonce (12 bytes) + ciphertext and tag>}; the version lets a
 * later key or algorithm coexist with this one. The caller names where the value lives ({@code table.column:rowId})
 * as associated data, so a sealed value copied into another row or column does not open. A value without the prefix
 * is a plaintext from before sealing: {@link #open} returns it as is until the store seals it.
 */
public final class SecretSealer {
    public static final int KEY_BYTES = 32;
    private static final String V1 = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The sealed value does not open with this key: the database was sealed with another one. */
    public static final class WrongKeyException extends IllegalStateException {
        public WrongKeyException(String where) {
            super("a secret in the database (" + where + ") was sealed with another key");
        }
    }

    private final SecretKeySpec key;

    private SecretSealer(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the secrets key must be " + KEY_BYTES + " bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public static SecretSealer withKey(byte[] key) {
        return new SecretSealer(key.clone());
    }

    /** A fresh random key, for a new installation's key file. */
    public static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /** Whether {@code stored} is already sealed (by any version). */
    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(V1);
    }

    public String seal(String plaintext, String where) {
        if (plaintext == null) return null;
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, where);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return V1 + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The plaintext of a sealed value, or an unsealed (older) value as it is. */
    public String open(String stored, String where) {
        if (stored == null || !isSealed(stored)) return stored;
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(V1.length()));
        } catch (IllegalArgumentException e) {
            throw new WrongKeyException(where);
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) throw new WrongKeyException(where);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(in, NONCE_BYTES), where);
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException(where);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String where) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(where.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return "SecretSealer[AES-256-GCM]";
    }
}
