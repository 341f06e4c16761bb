package dev.stowage.scanning.inventory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter whose every byte passes through {@link #read(byte[], int, int)}: the single-byte read and skip go through
 * it too, so a filter that counts, limits or inspects bytes sees all of them whichever way a caller reads.
 */
abstract class ReadThroughFilterStream extends FilterInputStream {
    private static final int SKIP_BUFFER = 64 * 1024;

    ReadThroughFilterStream(InputStream in) {
        super(in);
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(SKIP_BUFFER, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) break;
            skipped += read;
        }
        return skipped;
    }
}
