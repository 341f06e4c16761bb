package dev.stowage.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.spi.ManifestRecord;

import java.io.IOException;
import java.util.Set;

/**
 * Which manifests a runtime would run, and so which the image checks apply to: indexes, every manifest with a
 * filesystem layer (whatever its config or artifactType says), and image configs without layers. Signatures,
 * attestations, SBOMs and charts are not: cosign stores its signatures as image manifests with an image config, but
 * their layers are payloads, not filesystems, and refusing them would only break the tools that verify images.
 */
public final class RunnableImages {
    public static final Set<String> IMAGE_CONFIGS = Set.of("application/vnd.oci.image.config.v1+json",
            "application/vnd.docker.container.image.v1+json");
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Decided once per manifest (the answer never changes: the digest is the content). */
    private static final Cache<Digest, Boolean> DECIDED = Caffeine.newBuilder().maximumSize(20_000).build();

    private RunnableImages() {
    }

    public static boolean runnable(ManifestRecord manifest) {
        return runnable(manifest.digest(), manifest.mediaType(), manifest.payload());
    }

    public static boolean runnable(Digest digest, String mediaType, byte[] payload) {
        if (MediaTypes.isIndex(mediaType)) return true;
        return DECIDED.get(digest, d -> decide(payload));
    }

    private static boolean decide(byte[] payload) {
        try {
            JsonNode root = JSON.readTree(payload);
            JsonNode layers = root.path("layers");
            // a filesystem layer makes it runnable whatever its config says: a runtime that ignores the config's type
            // would run it, so no config type may take an image out of the policies
            if (layers.isArray()) {
                for (JsonNode layer : layers) {
                    if (filesystem(layer.path("mediaType").asText(""))) return true;
                }
            }
            boolean imageConfig = IMAGE_CONFIGS.contains(root.path("config").path("mediaType").asText(""));
            return imageConfig && (!layers.isArray() || layers.isEmpty());
        } catch (IOException e) {
            return true; // unreadable: checked rather than waved through
        }
    }

    /** Layer types runtimes unpack: OCI and Docker tar layers, compressed or not, distributable or not. */
    private static boolean filesystem(String mediaType) {
        return mediaType.startsWith("application/vnd.oci.image.layer.") || mediaType.contains("rootfs.diff.tar")
                || mediaType.startsWith("application/vnd.docker.image.rootfs.");
    }
}
