package dev.stowage.core.service;

import java.time.Duration;

/**
 * Tunables of the registry service.
 *
 * @param maxManifestBytes    manifests larger than this are refused (the spec suggests at least 4 MiB)
 * @param uploadExpiry        an upload idle for this long is abandoned and its data removed
 * @param maxPageSize         the most items one tags/catalog page returns, whatever {@code n} asks
 * @param deleteEnabled       whether DELETE of manifests, tags and blobs is allowed
 * @param manifestCacheBytes  memory for recently read manifests (0 disables the cache); tag resolutions are cached
 *                            besides, one per 256 bytes of it
 * @param tagCacheTtl         how long a cached tag resolution or manifest may be used; negative: until a local
 *                            write changes it (right when this node is the only writer, as with the embedded
 *                            database)
 */
public record ServiceSettings(long maxManifestBytes, Duration uploadExpiry, int maxPageSize, boolean deleteEnabled,
                              long manifestCacheBytes, Duration tagCacheTtl) {
    public static final ServiceSettings DEFAULTS = new ServiceSettings(4L * 1024 * 1024, Duration.ofHours(24), 10_000,
            true, 64L * 1024 * 1024, Duration.ofSeconds(-1));

    /**
     * The manifest cache for a heap of {@code maxHeapBytes}: an eighth of it (with the tag cache, about a quarter at
     * most), so a small host keeps room for requests and a host given more heap (-Xmx) caches more.
     */
    public static long manifestCacheBytesFor(long maxHeapBytes) {
        return Math.max(4L << 20, maxHeapBytes / 8);
    }

    public ServiceSettings withUploadExpiry(Duration expiry) {
        return new ServiceSettings(maxManifestBytes, expiry, maxPageSize, deleteEnabled, manifestCacheBytes, tagCacheTtl);
    }
}
