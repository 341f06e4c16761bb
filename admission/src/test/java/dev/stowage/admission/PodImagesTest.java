package dev.stowage.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodImagesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String POD_SPEC = """
            {"initContainers": [{"name": "setup", "image": "reg/p/init:1"}],
             "containers": [{"name": "app", "image": "reg/p/app:1", "ports": [{"containerPort": 80}]},
                            {"name": "sidecar", "image": "reg/p/side:2"}],
             "ephemeralContainers": [{"name": "debugger", "image": "busybox", "targetContainerName": "app"}]}""";

    /** The pod spec placed where each kind keeps it. */
    static JsonNode object(String kind) throws Exception {
        String wrapped = switch (kind) {
            case "Pod" -> "{\"spec\": " + POD_SPEC + "}";
            case "CronJob" -> "{\"spec\": {\"schedule\": \"*/5 * * * *\", \"jobTemplate\": {\"spec\": {\"template\": {\"spec\": "
                    + POD_SPEC + "}}}}}";
            default -> "{\"spec\": {\"replicas\": 2, \"template\": {\"metadata\": {\"labels\": {\"app\": \"x\"}}, \"spec\": "
                    + POD_SPEC + "}}}";
        };
        return JSON.readTree(wrapped);
    }

    @ParameterizedTest
    @CsvSource({
            "'',    Pod,                   /spec",
            "'',    ReplicationController, /spec/template/spec",
            "apps,  Deployment,            /spec/template/spec",
            "apps,  StatefulSet,           /spec/template/spec",
            "apps,  DaemonSet,             /spec/template/spec",
            "apps,  ReplicaSet,            /spec/template/spec",
            "batch, Job,                   /spec/template/spec",
            "batch, CronJob,               /spec/jobTemplate/spec/template/spec"})
    void everyContainerListOfEveryWorkloadKindIsRead(String group, String kind, String spec) throws Exception {
        List<PodImages.ContainerImage> images = PodImages.of(group, kind, object(kind), 100);
        assertThat(images).containsExactly(
                new PodImages.ContainerImage(spec + "/initContainers/0/image", "init container", "setup", "reg/p/init:1"),
                new PodImages.ContainerImage(spec + "/containers/0/image", "container", "app", "reg/p/app:1"),
                new PodImages.ContainerImage(spec + "/containers/1/image", "container", "sidecar", "reg/p/side:2"),
                new PodImages.ContainerImage(spec + "/ephemeralContainers/0/image", "ephemeral container", "debugger", "busybox"));
        JsonNode parsed = object(kind);
        for (PodImages.ContainerImage image : images) {
            assertThat(parsed.at(image.pointer()).textValue()).as("the pointer leads to the image").isEqualTo(image.image());
        }
        assertThat(images.get(1).describe()).isEqualTo("container 'app' image 'reg/p/app:1'");
    }

    @Test
    void otherKindsAndGroupsAreNotRead() throws Exception {
        assertThat(PodImages.of("", "Service", object("Pod"), 100)).isEmpty();
        assertThat(PodImages.of("extensions", "Deployment", object("Deployment"), 100)).isEmpty();
        assertThat(PodImages.of("apps", "Pod", object("Pod"), 100)).isEmpty();
        assertThat(PodImages.handles("batch", "CronJob")).isTrue();
        assertThat(PodImages.handles("", "ConfigMap")).isFalse();
    }

    @Test
    void malformedEntriesNameNoImageSoTheyAreDeniedNotSkipped() throws Exception {
        JsonNode odd = JSON.readTree("""
                {"spec": {"containers": [{"name": "a"}, {"name": "b", "image": 7}, "text", {"image": "reg/p/x:1"}],
                          "initContainers": {"not": "a list"}}}""");
        assertThat(PodImages.of("", "Pod", odd, 100)).containsExactly(
                new PodImages.ContainerImage("/spec/initContainers", "init container", "", ""),
                new PodImages.ContainerImage("/spec/containers/0/image", "container", "a", ""),
                new PodImages.ContainerImage("/spec/containers/1/image", "container", "b", ""),
                new PodImages.ContainerImage("/spec/containers/2/image", "container", "", ""),
                new PodImages.ContainerImage("/spec/containers/3/image", "container", "", "reg/p/x:1"));
        assertThat(PodImages.of("", "Pod", JSON.readTree("{\"spec\": []}"), 100)).isEmpty();
        assertThat(PodImages.of("apps", "Deployment", JSON.readTree("{}"), 100)).isEmpty();
        assertThat(PodImages.of("", "Pod", null, 100)).isEmpty();
    }

    @Test
    void readingStopsOnePastTheLimit() throws Exception {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"reg/p/a:").append(i).append("\"}");
        }
        JsonNode pod = JSON.readTree("{\"spec\":{\"containers\":[" + containers + "]}}");
        assertThat(PodImages.of("", "Pod", pod, 1000)).hasSize(1001);
    }

    @Test
    void pointerSegmentsAreEscapedAsRfc6901Says() {
        assertThat(JsonPatch.escape("a/b~c")).isEqualTo("a~1b~0c");
        assertThat(JsonPatch.escape("~1")).isEqualTo("~01");
        assertThat(JsonPatch.escape("plain")).isEqualTo("plain");
    }
}
