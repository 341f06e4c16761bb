package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.MalformedContentException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads that never hold more than a stated number of bytes: what a detector buffers is bounded by its content's kind. */
final class Bounded {
    /** The most any detector buffers of one file (a lockfile, a manifest): far above any real one. */
    static final int MAX_BUFFERED = 64 << 20;

    private Bounded() {
    }

    /** All of the stream, or {@link MalformedContentException} if it holds more than {@code limit} bytes. */
    static byte[] readAll(InputStream in, int limit, String what) throws IOException {
        byte[] content = in.readNBytes(limit);
        if (content.length == limit && in.read() >= 0) {
            throw tooLarge(what, limit);
        }
        return content;
    }

    /** The stream, failing with {@link MalformedContentException} once more than {@code limit} bytes were read from it. */
    static InputStream capped(InputStream in, long limit, String what) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                count(skipped);
                return skipped;
            }

            private void count(long n) throws MalformedContentException {
                read += n;
                if (read > limit) {
                    throw tooLarge(what, limit);
                }
            }

            @Override
            public void close() {
                // the caller owns the underlying stream
            }
        };
    }

    static MalformedContentException tooLarge(String what, long limit) {
        return new MalformedContentException(what + " is larger than " + (limit >> 20) + " MiB, the most read of one");
    }
}
