package dev.stowage.core.manifest;

import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.RegistryException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestParserTest {
    static final String D1 = "sha256:" + "11".repeat(32);
    static final String D2 = "sha256:" + "22".repeat(32);
    static final String D3 = "sha256:" + "33".repeat(32);

    static ParsedManifest parse(String json, String contentType) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ManifestParser.parse(bytes, contentType, Digest.sha256Of(bytes));
    }

    static String image(String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1 + "\",\"size\":10},\"layers\":[{"
                + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2 + "\",\"size\":20}]"
                + extra + "}";
    }

    static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
        } catch (RegistryException e) {
            return e.code();
        }
        throw new AssertionError("no error");
    }

    @Test
    void imageManifestListsConfigAndLayersAsBlobs() {
        ParsedManifest m = parse(image(""), MediaTypes.OCI_MANIFEST);
        assertThat(m.blobs()).extracting(d -> d.digest().toString()).containsExactly(D1, D2);
        assertThat(m.children()).isEmpty();
        assertThat(m.effectiveArtifactType()).hasValue("application/vnd.oci.image.config.v1+json");
    }

    @Test
    void artifactTypeAndSubjectAreRead() {
        ParsedManifest m = parse(image(",\"artifactType\":\"application/x-sbom\",\"subject\":{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + D3 + "\",\"size\":5},\"annotations\":{\"k\":\"v\"}"), null);
        assertThat(m.effectiveArtifactType()).hasValue("application/x-sbom");
        assertThat(m.subject().orElseThrow().digest().toString()).isEqualTo(D3);
        assertThat(m.annotations()).containsEntry("k", "v");
    }

    @Test
    void indexListsChildren() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + D1 + "\",\"size\":3}]}", MediaTypes.OCI_INDEX);
        assertThat(m.isIndex()).isTrue();
        assertThat(m.children()).extracting(d -> d.digest().toString()).containsExactly(D1);
        assertThat(m.blobs()).isEmpty();
    }

    @Test
    void mediaTypeComesFromContentTypeWhenTheManifestOmitsIt() {
        String noType = image("").replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");
        assertThat(parse(noType, MediaTypes.OCI_MANIFEST).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void foreignLayersWithUrlsAreNotRequiredBlobs() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + D1 + "\",\"size\":10},\"layers\":[{"
                + "\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" + D2
                + "\",\"size\":20,\"urls\":[\"https://example.com/layer\"]}]}";
        assertThat(parse(json, MediaTypes.DOCKER_MANIFEST).blobs()).hasSize(1);
    }

    @Test
    void schema1IsRefused() {
        assertThatThrownBy(() -> parse("{\"schemaVersion\":1}", "application/json"))
                .hasMessageContaining("schema1");
        assertThatThrownBy(() -> parse(image(""), MediaTypes.DOCKER_SCHEMA1_SIGNED)).hasMessageContaining("schema1");
    }

    @Test
    void structuralMistakesAreManifestInvalid() {
        assertThat(codeOf(() -> parse("[]", null))).isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(codeOf(() -> parse("{\"schemaVersion\":3}", null))).isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(codeOf(() -> parse(image("").replace("\"size\":20", "\"size\":-1"), null))).isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(codeOf(() -> parse(image("").replace(D2, "sha256:short"), null))).isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(codeOf(() -> parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"}", null)))
                .isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(codeOf(() -> parse(image(",\"schemaVersion\":2"), null))).isEqualTo(ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void unknownMediaTypeIsRefused() {
        assertThat(codeOf(() -> parse(image("").replace(MediaTypes.OCI_MANIFEST, "application/x-other"), null)))
                .isEqualTo(ErrorCode.MANIFEST_INVALID);
    }

    static String index(String manifests) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":" + manifests + "}";
    }

    @Test
    void nullsAndWrongTypesOfRequiredFieldsAreManifestInvalid() {
        String layer = "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2
                + "\",\"size\":20}]";
        String[] hostile = {
                image("").replace(layer, "\"layers\":null"),
                image("").replace(layer, "\"layers\":null").replace(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST),
                image("").replace(layer, "\"layers\":\"x\""),
                image("").replace(layer, "\"layers\":{}"),
                image("").replace(layer, "\"layers\":[null]"),
                image("").replace(layer, "\"layers\":[1]"),
                image("").replace(layer, "\"layers\":[[]]"),
                image("").replaceFirst("\"config\":\\{[^}]*}", "\"config\":null"),
                image("").replaceFirst("\"config\":\\{[^}]*}", "\"config\":\"x\""),
                image("").replaceFirst("\"config\":\\{[^}]*}", "\"config\":[]"),
                image("").replace("\"size\":20", "\"size\":\"20\""),
                image("").replace("\"size\":20", "\"size\":20.5"),
                image("").replace("\"size\":20", "\"size\":20.0"),
                image("").replace("\"size\":20", "\"size\":1e3"),
                image("").replace("\"size\":20", "\"size\":true"),
                image("").replace("\"size\":20", "\"size\":null"),
                image("").replace("\"size\":20", "\"size\":-1"),
                image("").replace("\"size\":20", "\"size\":99999999999999999999999"),
                image("").replace("\"" + D2 + "\"", "5"),
                image("").replace("\"" + D2 + "\"", "null"),
                image("").replace("\"" + D2 + "\"", "[]"),
                image("").replace("\"" + D2 + "\"", "{}"),
                image("").replace("\"application/vnd.oci.image.layer.v1.tar+gzip\"", "5"),
                image("").replace("\"application/vnd.oci.image.layer.v1.tar+gzip\"", "null"),
                image("").replace("\"" + MediaTypes.OCI_MANIFEST + "\"", "5"),
                image(",\"annotations\":\"x\""),
                image(",\"annotations\":{\"a\":1}"),
                image(",\"subject\":\"x\""),
                image(",\"subject\":[]"),
                image(",\"artifactType\":5"),
                image("").replace("\"schemaVersion\":2", "\"schemaVersion\":\"2\""),
                image("").replace("\"schemaVersion\":2", "\"schemaVersion\":2.0"),
                index("null"),
                index("\"x\""),
                index("{}"),
                index("[null]"),
                index("[1]"),
                index("[\"" + D1 + "\"]"),
        };
        for (String json : hostile) {
            assertThat(codeOf(() -> parse(json, null))).as(json).isEqualTo(ErrorCode.MANIFEST_INVALID);
        }
    }
}
