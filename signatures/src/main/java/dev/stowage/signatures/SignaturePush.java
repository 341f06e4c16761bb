package dev.stowage.signatures;

import dev.stowage.core.Digest;

import java.util.Map;
import java.util.Optional;

/**
 * A signature artifact made here, ready to push beside its subject: the manifest's bytes and media type, the blobs it
 * references (pushed first), and the tag it goes under in cosign's scheme (empty for a referrer, which its
 * {@code subject} field ties to the image).
 */
public record SignaturePush(String mediaType, byte[] manifest, Map<Digest, byte[]> blobs, Optional<String> tag) {
    public SignaturePush {
        blobs = Map.copyOf(blobs);
    }
}
