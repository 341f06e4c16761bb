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
 * Which manifests a runtime would run, and so which the image checks apply to: indexes, and image manifests (an image
 * config, whatever artifactType the manifest declares) with filesystem layers. Signatures, attestations, SBOMs and
 * charts are not: cosign stores its signatures as image manifests with an image config, but their layers are payloads,
 * not filesystems, and refusing them would only break the tools that verify images.
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
            if (!IMAGE_CONFIGS.contains(root.path("config").path("mediaType").asText(""))) return false;
            JsonNode layers = root.path("layers");
            if (!layers.isArray() || layers.isEmpty()) return true;
            for (JsonNode layer : layers) {
                if (filesystem(layer.path("mediaType").asText(""))) return true;
            }
            return false;
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
