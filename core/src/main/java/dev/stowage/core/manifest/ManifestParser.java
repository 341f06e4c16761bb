package dev.stowage.core.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.RegistryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses and validates the four manifest formats the registry accepts: OCI image manifest and index, Docker
 * schema2 manifest and manifest list. Docker schema1 is refused with a message saying so. Validation is
 * structural (what the registry needs to index and check references); unknown fields are kept verbatim
 * because the stored bytes are the exact bytes pushed.
 */
public final class ManifestParser {
    private static final String FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        JSON.getFactory().configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);
    }

    private ManifestParser() {}

    /**
     * @param contentType the request's Content-Type (may be null); must agree with the manifest's mediaType
     *                    when both are present, and names the format when the manifest omits mediaType
     * @param digest      the digest of {@code payload}, computed by the caller
     */
    public static ParsedManifest parse(byte[] payload, String contentType, Digest digest) {
        String headerType = normalize(contentType);
        if (MediaTypes.isSchema1(headerType)) throw schema1();
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw invalid("manifest is not valid JSON: " + dev.stowage.core.JsonProblems.describe(e));
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) throw invalid("manifest must be a JSON object");
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion != null && schemaVersion.isInt() && schemaVersion.intValue() == 1) throw schema1();
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw invalid("schemaVersion must be 2");
        }
        String declared = optionalText(root, "mediaType");
        String mediaType = declared != null ? declared : headerType;
        if (declared != null && headerType != null && !headerType.equals(declared)
                && MediaTypes.MANIFESTS.contains(headerType)) {
            throw invalid("Content-Type " + headerType + " does not match the manifest's mediaType " + declared);
        }
        if (mediaType == null) {
            mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (MediaTypes.isSchema1(mediaType)) throw schema1();
        if (!MediaTypes.MANIFESTS.contains(mediaType)) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "unsupported manifest media type: " + mediaType
                    + " (supported: " + String.join(", ", MediaTypes.MANIFESTS) + ")");
        }
        Optional<Descriptor> subject = Optional.ofNullable(root.get("subject"))
                .filter(n -> !n.isNull()).map(n -> descriptor(n, "subject"));
        Optional<String> artifactType = Optional.ofNullable(optionalText(root, "artifactType"));
        Map<String, String> annotations = annotations(root.get("annotations"), "annotations");

        if (MediaTypes.isIndex(mediaType)) {
            JsonNode manifests = root.get("manifests");
            if (manifests == null || !manifests.isArray()) throw invalid("an index must have a manifests array");
            if (root.has("layers") || root.has("config")) throw invalid("an index must not have config or layers");
            List<Descriptor> children = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) children.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
            return new ParsedManifest(mediaType, digest, payload, Optional.empty(), List.of(), children, subject,
                    artifactType, annotations);
        }
        if (root.has("manifests")) throw invalid("an image manifest must not have a manifests array");
        JsonNode configNode = root.get("config");
        if (configNode == null || configNode.isNull()) throw invalid("an image manifest must have a config descriptor");
        Descriptor config = descriptor(configNode, "config");
        JsonNode layers = root.get("layers");
        // Present means an array: "layers": null is not an image without layers, it is a malformed manifest.
        if (layers != null && !layers.isArray()) throw invalid("layers must be an array");
        if (layers == null && MediaTypes.DOCKER_MANIFEST.equals(mediaType)) throw invalid("layers must be present");
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        if (layers != null) {
            for (int i = 0; i < layers.size(); i++) {
                Descriptor layer = descriptor(layers.get(i), "layers[" + i + "]");
                if (!isForeign(layer, layers.get(i))) blobs.add(layer);
            }
        }
        return new ParsedManifest(mediaType, digest, payload, Optional.of(config), blobs, List.of(), subject,
                artifactType, annotations);
    }

    /** Parses only what the referrers API reports; the payload was validated when it was pushed. */
    public static Map<String, String> annotationsOf(byte[] payload) {
        try {
            JsonNode root = JSON.readTree(payload);
            return root == null ? Map.of() : annotations(root.get("annotations"), "annotations");
        } catch (IOException | RegistryException e) {
            return Map.of();
        }
    }

    private static boolean isForeign(Descriptor layer, JsonNode node) {
        return FOREIGN_LAYER.equals(layer.mediaType()) && node.has("urls");
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) throw invalid(where + " must be a descriptor object");
        String mediaType = optionalText(node, "mediaType");
        if (mediaType == null || mediaType.isBlank()) throw invalid(where + ".mediaType is required");
        String digestText = optionalText(node, "digest");
        if (digestText == null) throw invalid(where + ".digest is required");
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (RegistryException e) {
            throw invalid(where + ".digest is invalid: " + e.getMessage());
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid(where + ".size must be a non-negative integer");
        }
        return new Descriptor(mediaType, digest, size.longValue(), optionalText(node, "artifactType"),
                annotations(node.get("annotations"), where + ".annotations"));
    }

    private static Map<String, String> annotations(JsonNode node, String where) {
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw invalid(where + " must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) throw invalid(where + "." + e.getKey() + " must be a string");
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw invalid(field + " must be a string");
        return value.textValue();
    }

    private static String normalize(String contentType) {
        if (contentType == null) return null;
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
        return type.isEmpty() ? null : type;
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    private static RegistryException schema1() {
        return new RegistryException(ErrorCode.MANIFEST_INVALID,
                "Docker schema1 manifests are not supported; push the image as Docker schema2 or OCI "
                        + "(e.g. skopeo copy --format v2s2)");
    }
}
