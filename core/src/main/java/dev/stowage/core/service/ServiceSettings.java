package dev.stowage.core.service;

import java.time.Duration;

/**
 * Tunables of the registry service.
 *
 * @param maxManifestBytes  manifests larger than this are refused (the spec suggests at least 4 MiB)
 * @param uploadExpiry      an upload idle for this long is abandoned and its data removed
 * @param maxPageSize       the most items one tags/catalog page returns, whatever {@code n} asks
 * @param deleteEnabled     whether DELETE of manifests, tags and blobs is allowed
 */
public record ServiceSettings(long maxManifestBytes, Duration uploadExpiry, int maxPageSize, boolean deleteEnabled) {
    public static final ServiceSettings DEFAULTS = new ServiceSettings(4L * 1024 * 1024, Duration.ofHours(24), 10_000, true);
}
