package dev.stowage.core.manifest;

import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated manifest or index. {@code blobs} are the descriptors of content the registry must hold (config and
 * layers; foreign layers with external URLs are excluded), {@code children} the manifests an index lists.
 */
public record ParsedManifest(
        String mediaType,
        Digest digest,
        byte[] payload,
        Optional<Descriptor> config,
        List<Descriptor> blobs,
        List<Descriptor> children,
        Optional<Descriptor> subject,
        Optional<String> declaredArtifactType,
        Map<String, String> annotations) {

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /**
     * The artifact type the referrers API reports: the manifest's own artifactType, else its config's media
     * type (image manifests only), per the distribution spec.
     */
    public Optional<String> effectiveArtifactType() {
        if (declaredArtifactType.isPresent()) return declaredArtifactType;
        return config.map(Descriptor::mediaType);
    }
}
