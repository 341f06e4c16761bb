package dev.stowage.scanning.inventory;

/**
 * The bounds an inventory keeps to, whatever a layer contains. Time is bounded through them: every limit counts work
 * that grows with the layer (bytes decompressed, entries, bytes read), so a hostile layer ends in a {@link SkippedPart}
 * instead of a stuck worker or an exhausted heap.
 *
 * @param maxLayerBytes      decompressed bytes read from one layer before it is given up as a decompression bomb
 * @param maxLayerEntries    tar entries in one layer
 * @param maxFileBytes       size of one file a detector may read (a larger file it wants is skipped with a reason)
 * @param maxHeaderBytes     size of one tar meta entry (PAX header, GNU long name), which tar libraries hold in memory
 * @param maxZstdWindowBytes the zstd window a layer may ask for; the decoder keeps a buffer that large, so it is a
 *                           memory bound (zstd's own command line refuses more than 128 MiB without {@code --memory})
 * @param maxSymlinkHops     symbolic links followed while resolving one path (Linux allows 40)
 */
public record InventoryLimits(long maxLayerBytes, long maxLayerEntries, long maxFileBytes, int maxHeaderBytes,
                              long maxZstdWindowBytes, int maxSymlinkHops) {
    public static final long MiB = 1024L * 1024;

    public InventoryLimits {
        positive(maxLayerBytes, "maxLayerBytes");
        positive(maxLayerEntries, "maxLayerEntries");
        positive(maxFileBytes, "maxFileBytes");
        positive(maxHeaderBytes, "maxHeaderBytes");
        positive(maxZstdWindowBytes, "maxZstdWindowBytes");
        positive(maxSymlinkHops, "maxSymlinkHops");
    }

    /**
     * 16 GiB decompressed per layer (more than the largest real layers, CUDA and ML images included), a million entries
     * per layer, 256 MiB per file read by a detector, 1 MiB per tar meta entry, zstd windows up to 128 MiB, 40 links.
     */
    public static InventoryLimits defaults() {
        return new InventoryLimits(16 * 1024 * MiB, 1_000_000, 256 * MiB, (int) MiB, 128 * MiB, 40);
    }

    public InventoryLimits withMaxLayerBytes(long bytes) {
        return new InventoryLimits(bytes, maxLayerEntries, maxFileBytes, maxHeaderBytes, maxZstdWindowBytes, maxSymlinkHops);
    }

    public InventoryLimits withMaxLayerEntries(long entries) {
        return new InventoryLimits(maxLayerBytes, entries, maxFileBytes, maxHeaderBytes, maxZstdWindowBytes, maxSymlinkHops);
    }

    public InventoryLimits withMaxFileBytes(long bytes) {
        return new InventoryLimits(maxLayerBytes, maxLayerEntries, bytes, maxHeaderBytes, maxZstdWindowBytes, maxSymlinkHops);
    }

    public InventoryLimits withMaxZstdWindowBytes(long bytes) {
        return new InventoryLimits(maxLayerBytes, maxLayerEntries, maxFileBytes, maxHeaderBytes, bytes, maxSymlinkHops);
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
