package dev.stowage.core.spi;

import dev.stowage.core.Digest;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Content-addressed bytes. A blob becomes readable only by {@link UploadSink#commit}, which verifies the digest
 * and then publishes atomically; nothing half-written is ever visible under a digest. Implementations are
 * blocking and are called from virtual threads, never from an event loop.
 */
public interface BlobStore extends AutoCloseable {

    /** The committed blob, or empty. */
    Optional<BlobContent> open(Digest digest) throws IOException;

    boolean exists(Digest digest) throws IOException;

    /** Starts a new temporary upload with the given id (a UUID chosen by the caller). */
    UploadSink createUpload(String uploadId) throws IOException;

    /**
     * Continues an upload, possibly one begun by another process or before a restart. The hash state is rebuilt
     * from the temporary data if this process does not hold it. The sink is positioned at {@code offset}: bytes
     * past it (from a write that was never acknowledged) are discarded.
     */
    UploadSink resumeUpload(String uploadId, long offset) throws IOException;

    /** Removes an upload's temporary data; absent is fine. */
    void deleteUpload(String uploadId) throws IOException;

    /** Ids of temporary uploads present in storage, for expiry sweeps. */
    List<String> listUploads() throws IOException;

    /** Removes a committed blob's bytes; answers whether it existed. */
    boolean delete(Digest digest) throws IOException;

    @Override
    default void close() throws IOException {}
}
