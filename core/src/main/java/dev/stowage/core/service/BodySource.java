package dev.stowage.core.service;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A request body that arrives in pieces. The HTTP layer feeds it from the network; the service drains it into
 * storage on a blocking thread. Buffers are valid only during the callback.
 */
public interface BodySource {
    /** Hands every remaining chunk to {@code sink}, in order, until the body ends. */
    void drainTo(ChunkSink sink) throws IOException;

    /** Drops whatever is left of the body (after a refusal), so the connection can be reused or closed. */
    void discard();

    /** The declared length, or -1 when the body is chunked. */
    long declaredLength();

    @FunctionalInterface
    interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** A body already in memory (small documents the registry writes itself, such as SBOMs). */
    static BodySource of(byte[] content) {
        return new BodySource() {
            @Override
            public void drainTo(ChunkSink sink) throws java.io.IOException {
                sink.accept(java.nio.ByteBuffer.wrap(content).asReadOnlyBuffer());
            }

            @Override
            public void discard() {
            }

            @Override
            public long declaredLength() {
                return content.length;
            }
        };
    }

    BodySource EMPTY = new BodySource() {
        @Override public void drainTo(ChunkSink sink) {}
        @Override public void discard() {}
        @Override public long declaredLength() { return 0; }
    };
}
