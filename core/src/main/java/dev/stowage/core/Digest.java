package dev.stowage.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A validated content digest ({@code algorithm:hex}). Only algorithms the registry can verify are accepted,
 * and the encoded part is lower-case hex of the exact length, so a digest is always safe to use in a path.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        int expectedLength = switch (algorithm) {
            case SHA256 -> 64;
            case SHA512 -> 128;
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, "unsupported digest algorithm: " + algorithm);
        };
        if (hex.length() != expectedLength || !LOWER_HEX.matcher(hex).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid " + algorithm + " digest: " + hex);
        }
    }

    /** Parses {@code algorithm:hex}; a malformed string is DIGEST_INVALID, an unknown algorithm UNSUPPORTED. */
    public static Digest parse(String text) {
        if (text == null || text.length() > 200 || !GRAMMAR.matcher(text).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid digest: " + abbreviate(text));
        }
        int colon = text.indexOf(':');
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static boolean looksLikeDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest sha256Of(byte[] content) {
        return new Digest(SHA256, HexFormat.of().formatHex(newMessageDigest(SHA256).digest(content)));
    }

    public static Digest of(String algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** Hashes {@code content} with this digest's algorithm and says whether it matches. */
    public boolean matches(byte[] content) {
        return MessageDigest.isEqual(newMessageDigest(algorithm).digest(content), HexFormat.of().parseHex(hex));
    }

    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    public static MessageDigest newMessageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case SHA256 -> "SHA-256";
                case SHA512 -> "SHA-512";
                default -> throw new RegistryException(ErrorCode.UNSUPPORTED, "unsupported digest algorithm: " + algorithm);
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    private static String abbreviate(String text) {
        if (text == null) return "(none)";
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
