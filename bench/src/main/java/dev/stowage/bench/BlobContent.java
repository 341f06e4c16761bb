package dev.stowage.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Incompressible, distinct blob contents without holding a blob in memory: a random 1 MiB base, stamped at the
 * start of every MiB with the blob's seed and the chunk's index.
 */
final class BlobContent {
    static final int CHUNK = 1 << 20;
    private final byte[] base;

    BlobContent(long runSeed) {
        base = new byte[CHUNK];
        new java.util.SplittableRandom(runSeed).nextBytes(base);
    }

    record Blob(long seed, long size, String digest) {}

    Blob blob(long seed, long size) {
        MessageDigest sha = sha256();
        byte[] chunk = new byte[CHUNK];
        for (long offset = 0; offset < size; offset += CHUNK) {
            int n = fill(chunk, seed, offset, size);
            sha.update(chunk, 0, n);
        }
        return new Blob(seed, size, "sha256:" + HexFormat.of().formatHex(sha.digest()));
    }

    /** Writes bytes [from, to) of the blob. */
    void write(Blob blob, long from, long to, OutputStream out, byte[] scratch) throws IOException {
        long chunkStart = (from / CHUNK) * CHUNK;
        for (long offset = chunkStart; offset < to; offset += CHUNK) {
            int n = fill(scratch, blob.seed(), offset, blob.size());
            int start = (int) Math.max(0, from - offset);
            int end = (int) Math.min(n, to - offset);
            if (end > start) out.write(scratch, start, end - start);
        }
    }

    private int fill(byte[] chunk, long seed, long offset, long size) {
        int n = (int) Math.min(CHUNK, size - offset);
        System.arraycopy(base, 0, chunk, 0, n);
        long index = offset / CHUNK;
        for (int i = 0; i < Math.min(16, n); i++) {
            chunk[i] ^= (byte) ((i < 8 ? seed : index) >>> (8 * (i % 8)));
        }
        return n;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
