package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A malformed manifest is described in plain words, never with the JSON library's class or method names. */
class ManifestErrorMessageTest {
    static final String OCI = "application/vnd.oci.image.manifest.v1+json";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path root;
    TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new TestRegistry(root);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    String putMessage(String manifest) throws Exception {
        HttpResponse<byte[]> r = registry.put("/v2/team/app/manifests/deep", OCI, manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(TestRegistry.text(r)).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("MANIFEST_INVALID");
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    @Test
    void aTooDeeplyNestedManifestSaysSoWithItsLimit() throws Exception {
        assertThat(putMessage("{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}"))
                .isEqualTo("manifest is not valid JSON: nested too deeply (limit 64)");
    }

    @Test
    void aSyntaxErrorNamesItsPosition() throws Exception {
        assertThat(putMessage("{\"schemaVersion\":2,\n\"config\":}"))
                .isEqualTo("manifest is not valid JSON: unexpected character at line 2 column 10");
    }

    @Test
    void aDuplicateKeyIsNamed() throws Exception {
        assertThat(putMessage("{\"schemaVersion\":2,\"schemaVersion\":2}"))
                .isEqualTo("manifest is not valid JSON: duplicate field 'schemaVersion'");
    }

    @Test
    void aTruncatedManifestSaysItEndsEarly() throws Exception {
        assertThat(putMessage("{\"schemaVersion\":2,")).isEqualTo("manifest is not valid JSON: unexpected end at line 1 column 20");
    }
}
