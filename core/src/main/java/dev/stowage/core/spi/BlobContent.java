package dev.stowage.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** A committed blob ready to be read. */
public interface BlobContent {
    long size();

    /** The local file holding the bytes, when there is one: lets the HTTP layer send it with zero-copy. */
    Optional<Path> localFile();

    /** A stream over {@code length} bytes starting at {@code offset}. */
    InputStream openStream(long offset, long length) throws IOException;
}
