package dev.stowage.admission;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container images of a workload object as the API server sends it: a Pod's spec, or the pod template of a
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController or Job ({@code spec.template}) or a CronJob
 * ({@code spec.jobTemplate.spec.template}); in each, every {@code containers[]}, {@code initContainers[]} and
 * {@code ephemeralContainers[]} entry's {@code image}, with the JSON Pointer of that field (for a patch).
 */
public final class PodImages {
    /** Where the pod spec is, by API group and kind. */
    private static final Map<String, String> POD_SPEC = Map.of(
            "/Pod", "/spec",
            "/ReplicationController", "/spec/template/spec",
            "apps/Deployment", "/spec/template/spec",
            "apps/StatefulSet", "/spec/template/spec",
            "apps/DaemonSet", "/spec/template/spec",
            "apps/ReplicaSet", "/spec/template/spec",
            "batch/Job", "/spec/template/spec",
            "batch/CronJob", "/spec/jobTemplate/spec/template/spec");
    private static final List<ContainerList> LISTS = List.of(
            new ContainerList("initContainers", "init container"),
            new ContainerList("containers", "container"),
            new ContainerList("ephemeralContainers", "ephemeral container"));

    private PodImages() {
    }

    private record ContainerList(String field, String noun) {}

    /**
     * One container's image.
     *
     * @param pointer the JSON Pointer of its {@code image} field in the object ({@code /spec/containers/0/image})
     * @param noun    {@code container}, {@code init container} or {@code ephemeral container}
     * @param name    the container's name ("" when the object has none: mutating webhooks see objects before validation)
     */
    public record ContainerImage(String pointer, String noun, String name, String image) {
        /** How a message names it: {@code container 'app' image 'reg/p/a:1'}. */
        public String describe() {
            return noun + " '" + name + "' image '" + image + "'";
        }
    }

    /** Whether reviews of this kind are about pods: {@code group} is "" for the core API. */
    public static boolean handles(String group, String kind) {
        return POD_SPEC.containsKey(group + "/" + kind);
    }

    /** The kinds handled, as {@code group/Kind} ("/Pod" for the core group). */
    public static java.util.Set<String> kinds() {
        return POD_SPEC.keySet();
    }

    /**
     * The images of {@code object}, a {@code kind} of {@code group}; empty for kinds not handled. An entry whose image is
     * missing or not a string, or a container list that is not a list, is there with the image "" (denied as naming no
     * image: a webhook fails closed on what the API server would not send). At most {@code limit + 1} are
     * read, so a caller can tell "too many" without this walking them all.
     */
    public static List<ContainerImage> of(String group, String kind, JsonNode object, int limit) {
        String specPointer = POD_SPEC.get(group + "/" + kind);
        if (specPointer == null || object == null) return List.of();
        JsonNode spec = object.at(specPointer);
        if (!spec.isObject()) return List.of();
        List<ContainerImage> images = new ArrayList<>();
        for (ContainerList list : LISTS) {
            JsonNode containers = spec.get(list.field());
            if (containers == null || containers.isNull()) continue;
            String listPointer = specPointer + "/" + JsonPatch.escape(list.field());
            if (!containers.isArray()) {
                // not what the API server sends; judged as an image that names nothing, so it is denied, not waved through
                images.add(new ContainerImage(listPointer, list.noun(), "", ""));
                continue;
            }
            for (int i = 0; i < containers.size(); i++) {
                if (images.size() > limit) return images;
                JsonNode container = containers.get(i);
                JsonNode image = container.get("image");
                String name = Optional.ofNullable(container.get("name")).filter(JsonNode::isTextual)
                        .map(JsonNode::textValue).orElse("");
                images.add(new ContainerImage(listPointer + "/" + i + "/image", list.noun(), name,
                        image != null && image.isTextual() ? image.textValue() : ""));
            }
        }
        return images;
    }
}
