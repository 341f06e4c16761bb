package dev.stowage.core.policy;

import dev.stowage.core.Digest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RunnableImagesTest {
    private static boolean runnable(String config, String... layerTypes) {
        StringBuilder layers = new StringBuilder();
        for (String type : layerTypes) {
            if (!layers.isEmpty()) layers.append(',');
            layers.append("{\"mediaType\":\"").append(type).append("\",\"digest\":\"sha256:").append("a".repeat(64))
                    .append("\",\"size\":1}");
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"" + config + "\",\"digest\":\"sha256:" + "b".repeat(64) + "\",\"size\":2},"
                + "\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
        return RunnableImages.runnable(Digest.sha256Of(manifest), "application/vnd.oci.image.manifest.v1+json", manifest);
    }

    @Test
    void imagesAreRunnableAndSignaturesAttestationsAndChartsAreNot() {
        assertThat(runnable("application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip")).isTrue();
        assertThat(runnable("application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip")).isTrue();
        assertThat(runnable("application/vnd.oci.image.config.v1+json")).as("an image of no layers").isTrue();
        assertThat(runnable("application/vnd.oci.image.config.v1+json", "application/vnd.dev.cosign.simplesigning.v1+json"))
                .as("cosign's signature").isFalse();
        assertThat(runnable("application/vnd.oci.image.config.v1+json", "application/vnd.dsse.envelope.v1+json"))
                .as("cosign's attestation").isFalse();
        assertThat(runnable("application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip"))
                .isFalse();
        assertThat(runnable("application/vnd.oci.empty.v1+json", "application/vnd.cncf.notary.signature")).isFalse();
    }

    @Test
    void filesystemLayersMakeAnImageRunnableWhateverItsConfigClaims() {
        // a runtime that ignores the config's type runs these: no config type takes them out of the policies
        for (String config : new String[] {"application/vnd.oci.empty.v1+json", "application/vnd.cyclonedx+json",
                "application/vnd.dev.cosign.simplesigning.v1+json", "text/plain"}) {
            assertThat(runnable(config, "application/vnd.oci.image.layer.v1.tar")).as(config).isTrue();
        }
    }
}
