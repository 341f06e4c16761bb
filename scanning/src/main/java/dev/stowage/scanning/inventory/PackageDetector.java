package dev.stowage.scanning.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Finds packages in files of an image. The inventory walks each layer once, in order, and offers every regular file to
 * every detector; a detector that wants a file gets its content as a stream (never a whole layer, never the file in
 * memory unless the detector itself bounds it). What a later layer deletes or replaces drops the packages an earlier
 * file declared.
 */
public interface PackageDetector {
    /**
     * Whether this detector reads the file.
     *
     * @param path       the file's absolute, normalised path in the image ({@code /var/lib/dpkg/status})
     * @param size       its size in bytes
     * @param executable whether any execute bit is set
     */
    boolean wants(String path, long size, boolean executable);

    /**
     * Reads the file. Throws {@link IOException} (or {@link MalformedContentException}) for content it cannot read; the
     * inventory records that as a {@link SkippedPart} and goes on.
     */
    List<FoundPackage> read(FileContent file) throws IOException;

    /** A file of a layer, as offered to a detector. The stream is closed by the caller. */
    record FileContent(String layer, String path, long size, InputStream content) {
    }
}
