package dev.stowage.core.spi;

import dev.stowage.core.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An upload in progress: appends bytes to temporary storage and hashes them in the same pass. Not thread-safe;
 * one request writes to a sink at a time. {@link #close()} releases resources without deleting the data, so the
 * upload can be resumed by a later request.
 */
public interface UploadSink extends AutoCloseable {
    String uploadId();

    /** Bytes written so far. */
    long size();

    /** Appends all remaining bytes of {@code buffer}. */
    void write(ByteBuffer buffer) throws IOException;

    /** Makes everything written so far visible to a later resume. Not necessarily durable: a crash that loses
     * acknowledged bytes is caught by the digest check at commit. */
    void flush() throws IOException;

    /**
     * Verifies that the content written so far hashes to {@code expected}, publishing nothing: a completion checks
     * the bytes before it links anything stored under that digest, so wrong bytes never reach stored content.
     */
    void verify(Digest expected) throws IOException, DigestMismatchException;

    /**
     * Verifies that the content hashes to {@code expected}, then makes it durable and publishes it under that
     * digest atomically. On a mismatch nothing is published and the temporary data is kept, so the client can
     * retry or cancel. Answers the committed size.
     */
    long commit(Digest expected) throws IOException, DigestMismatchException;

    @Override
    void close() throws IOException;

    final class DigestMismatchException extends Exception {
        private final Digest actual;

        public DigestMismatchException(Digest expected, Digest actual) {
            super("content hashes to " + actual + ", not " + expected, null, false, false);
            this.actual = actual;
        }

        public Digest actual() { return actual; }
    }
}
