package dev.stowage.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Digest;
import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.policy.ImageRefusal;
import dev.stowage.core.policy.ImageVerdict;
import dev.stowage.core.spi.ManifestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions over a small registry held in a map: what is denied and why, audit mode's warnings, external
 * registries, updates, and the mutating patch applied to the object it was computed for.
 */
class AdmissionDecisionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HOST = "reg.example.com";
    static final Digest GOOD = Digest.of("sha256", new byte[32]);
    static final Digest BAD = Digest.parse("sha256:" + "11".repeat(32));
    static final Digest AUDITED = Digest.parse("sha256:" + "22".repeat(32));

    /** team/app:1.0 passes, team/vuln:1.0 is refused by the vulnerabilities check, other/app:1.0 the caller may not pull. */
    static final class Registry implements Admission.Images {
        final Map<String, ManifestRecord> manifests = new HashMap<>();
        final List<String> evaluated = new ArrayList<>();

        Registry() {
            put("team/app", "1.0", GOOD);
            put("team/vuln", "1.0", BAD);
            put("other/app", "1.0", GOOD);
            put("team/audited", "1.0", AUDITED);
        }

        void put(String repository, String tag, Digest digest) {
            ManifestRecord record = new ManifestRecord(digest, "application/vnd.oci.image.manifest.v1+json",
                    "{}".getBytes(StandardCharsets.UTF_8), null, null, List.of(), List.of(), Instant.EPOCH);
            manifests.put(repository + ":" + tag, record);
            manifests.put(repository + "@" + digest, record);
        }

        @Override
        public Optional<ManifestRecord> resolve(RepositoryName repository, Reference reference) {
            if (repository.project().equals("other")) return Optional.empty();
            String key = repository + (reference instanceof Reference.ByDigest ? "@" : ":") + reference;
            return Optional.ofNullable(manifests.get(key));
        }

        @Override
        public ImageVerdict evaluate(RepositoryName repository, ManifestRecord manifest) {
            evaluated.add(repository + "@" + manifest.digest());
            if (manifest.digest().equals(AUDITED)) {
                return new ImageVerdict(List.of("signatures"), List.of(), List.of(new ImageRefusal("signatures",
                        "no signature verified by the trust policy", Map.of())));
            }
            if (manifest.digest().equals(BAD)) {
                return new ImageVerdict(List.of("vulnerabilities"), List.of(new ImageRefusal("vulnerabilities",
                        "pull refused by the policy of project 'team': the image has 2 critical vulnerabilities", Map.of())));
            }
            return new ImageVerdict(List.of("vulnerabilities"), List.of());
        }
    }

    static Admission admission(Admission.Mode mode) {
        return new Admission(new Admission.Settings(Set.of(HOST), Set.of("docker.io", "quay.io:443"), mode, 50));
    }

    static AdmissionReview review(String operation, String kind, String group, String object, String oldObject)
            throws Exception {
        ObjectNode request = JSON.createObjectNode();
        request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
        request.set("kind", JSON.readTree("{\"group\":\"" + group + "\",\"version\":\"v1\",\"kind\":\"" + kind + "\"}"));
        request.put("operation", operation);
        request.put("namespace", "shop");
        request.put("name", "web");
        if (object != null) request.set("object", JSON.readTree(object));
        if (oldObject != null) request.set("oldObject", JSON.readTree(oldObject));
        ObjectNode root = JSON.createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        root.set("request", request);
        return AdmissionReview.parse(JSON.writeValueAsBytes(root));
    }

    static String pod(String... images) {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < images.length; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"")
                    .append(images[i]).append("\"}");
        }
        return "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":[" + containers + "]}}";
    }

    @Test
    void aProjectThatAuditsItsPolicyAdmitsWithTheWouldBeRefusalAsAWarningAndStillPins() throws Exception {
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "",
                pod(HOST + "/team/audited:1.0"), null), new Registry());
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.warnings()).containsExactly("container 'c0' image '" + HOST
                + "/team/audited:1.0': audited, not enforced: no signature verified by the trust policy");
    }

    @Test
    void aContainerThatNamesNoImageIsDeniedNotWavedThrough() throws Exception {
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "",
                "{\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":null}]}}", null), new Registry());
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.denials()).singleElement().satisfies(d -> assertThat(d).startsWith("container 'x' image '': "));
    }

    @Test
    void enforceDeniesWithASentencePerFailingImage() throws Exception {
        Registry registry = new Registry();
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "",
                pod(HOST + "/team/app:1.0", HOST + "/team/vuln:1.0", HOST + "/team/app:missing", "ghcr.io/x/y:1",
                        HOST + "/other/app:1.0", HOST + "/Team/App"), null), registry);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.denials()).containsExactly(
                "container 'c1' image '" + HOST + "/team/vuln:1.0': pull refused by the policy of project 'team': the image "
                        + "has 2 critical vulnerabilities",
                "container 'c2' image '" + HOST + "/team/app:missing': " + Admission.NOT_FOUND,
                "container 'c3' image 'ghcr.io/x/y:1': registry ghcr.io is not this registry, and not among the external "
                        + "registries allowed (admission.allowedExternalRegistries)",
                "container 'c4' image '" + HOST + "/other/app:1.0': " + Admission.NOT_FOUND,
                "container 'c5' image '" + HOST + "/Team/App': not a valid image reference: the repository name 'Team/App' "
                        + "must be lowercase");
        assertThat(decision.message()).startsWith("container 'c1' image").contains("; container 'c2'");
        Map<String, Object> answer = review("CREATE", "Pod", "", pod(HOST + "/team/vuln:1.0"), null).answer(decision);
        JsonNode json = JSON.valueToTree(answer);
        assertThat(json.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(json.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(json.path("response").path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(json.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(json.path("response").path("status").path("code").asInt()).isEqualTo(403);
        assertThat(json.path("response").path("status").path("message").asText()).isEqualTo(decision.message());
        assertThat(json.path("response").has("patch")).isFalse();
    }

    @Test
    void auditModeAllowsWithTheSameSentencesAsWarnings() throws Exception {
        AdmissionDecision decision = admission(Admission.Mode.AUDIT).validate(review("CREATE", "Deployment", "apps",
                "{\"spec\":{\"template\":" + pod(HOST + "/team/vuln:1.0", "nginx:1.25") + "}}", null), new Registry());
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.warnings()).containsExactly(
                "audit mode, would be denied: container 'c0' image '" + HOST + "/team/vuln:1.0': pull refused by the "
                        + "policy of project 'team': the image has 2 critical vulnerabilities",
                "container 'c1' image 'nginx:1.25': registry docker.io is allowed unchecked "
                        + "(admission.allowedExternalRegistries); neither resolved nor checked against the image policy");
    }

    @Test
    void passingAndAllowedExternalImagesAreAdmittedTheExternalOnesWithAWarning() throws Exception {
        Registry registry = new Registry();
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "",
                pod(HOST + "/team/app:1.0", HOST + ":443/team/app@" + GOOD, "quay.io/prometheus/node-exporter:v1.8.0",
                        HOST + "/team/app:1.0"), null), registry);
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.warnings()).hasSize(1).allSatisfy(w -> assertThat(w).contains("quay.io/prometheus"));
        assertThat(registry.evaluated).as("each distinct image judged once").hasSize(2);
    }

    @Test
    void updatesCheckOnlyImagesTheOldObjectDidNotRun() throws Exception {
        String old = pod(HOST + "/team/vuln:1.0");
        AdmissionDecision scaled = admission(Admission.Mode.ENFORCE).validate(
                review("UPDATE", "Pod", "", pod(HOST + "/team/vuln:1.0"), old), new Registry());
        assertThat(scaled.allowed()).isTrue();
        AdmissionDecision changed = admission(Admission.Mode.ENFORCE).validate(
                review("UPDATE", "Pod", "", pod(HOST + "/team/vuln:1.0", HOST + "/team/app:missing"), old), new Registry());
        assertThat(changed.allowed()).isFalse();
        assertThat(changed.denials()).hasSize(1).allSatisfy(d -> assertThat(d).contains("team/app:missing"));
    }

    @Test
    void deletesConnectsOtherKindsAndObjectsBeingDeletedAreAllowedUntouched() throws Exception {
        Admission admission = admission(Admission.Mode.ENFORCE);
        Registry registry = new Registry();
        assertThat(admission.validate(review("DELETE", "Pod", "", null, pod(HOST + "/team/vuln:1.0")), registry).allowed()).isTrue();
        assertThat(admission.validate(review("CONNECT", "Pod", "", null, null), registry).allowed()).isTrue();
        assertThat(admission.validate(review("CREATE", "ConfigMap", "", "{\"data\":{}}", null), registry).allowed()).isTrue();
        String deleting = "{\"metadata\":{\"name\":\"web\",\"deletionTimestamp\":\"2024-05-01T10:00:00Z\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"evil.example/x\"}]}}";
        assertThat(admission.validate(review("UPDATE", "Pod", "", deleting, deleting), registry).allowed()).isTrue();
        assertThat(registry.evaluated).isEmpty();
    }

    @Test
    void tooManyImagesAreRefusedWholeWithoutResolvingAny() throws Exception {
        String[] images = new String[60];
        java.util.Arrays.fill(images, HOST + "/team/app:1.0");
        Registry registry = new Registry();
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "", pod(images), null),
                registry);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.message()).isEqualTo("Pod has more than 50 container images; Stowage checks at most 50 in one object");
        assertThat(registry.evaluated).isEmpty();
    }

    @Test
    void aDenialOfManyImagesQuotesTwentyAndCountsTheRest() throws Exception {
        String[] images = new String[45];
        for (int i = 0; i < images.length; i++) images[i] = HOST + "/team/app:missing" + i;
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).validate(review("CREATE", "Pod", "", pod(images), null),
                new Registry());
        assertThat(decision.denials()).hasSize(45);
        assertThat(decision.message()).endsWith("; and 25 more").contains("missing19'").doesNotContain("missing20'");
        AdmissionDecision audited = admission(Admission.Mode.AUDIT).validate(review("CREATE", "Pod", "", pod(images), null),
                new Registry());
        assertThat(audited.warnings()).hasSize(21).last().isEqualTo("and 25 more warnings");
    }

    @Test
    void mutationPinsPassingTagsOfThisRegistryAndNothingElse() throws Exception {
        String deployment = "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":3,"
                + "\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"init\",\"image\":\"" + HOST + "/team/app\"}],"
                + "\"containers\":[{\"name\":\"app\",\"image\":\"" + HOST + "/team/app:1.0\"},"
                + "{\"name\":\"pinned\",\"image\":\"" + HOST + "/team/app@" + GOOD + "\"},"
                + "{\"name\":\"vuln\",\"image\":\"" + HOST + "/team/vuln:1.0\"},"
                + "{\"name\":\"hub\",\"image\":\"nginx:1.25\"}]}}}}";
        Registry registry = new Registry();
        registry.put("team/app", "latest", GOOD);
        AdmissionReview review = review("CREATE", "Deployment", "apps", deployment, null);
        AdmissionDecision decision = admission(Admission.Mode.ENFORCE).mutate(review, registry);
        assertThat(decision.allowed()).isTrue();
        JsonNode answer = JSON.valueToTree(review.answer(decision));
        assertThat(answer.path("response").path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(answer.path("response").path("patch").asText()));

        JsonNode patched = JsonPatches.apply(JSON.readTree(deployment), patch);
        JsonNode spec = patched.at("/spec/template/spec");
        assertThat(spec.at("/initContainers/0/image").asText()).isEqualTo(HOST + "/team/app@" + GOOD);
        assertThat(spec.at("/containers/0/image").asText()).isEqualTo(HOST + "/team/app:1.0@" + GOOD);
        assertThat(spec.at("/containers/1/image").asText()).isEqualTo(HOST + "/team/app@" + GOOD);
        assertThat(spec.at("/containers/2/image").asText()).as("refused: left for the validating webhook")
                .isEqualTo(HOST + "/team/vuln:1.0");
        assertThat(spec.at("/containers/3/image").asText()).isEqualTo("nginx:1.25");
        // Nothing else changed.
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.at("/initContainers/0")).put("image", HOST + "/team/app");
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.at("/containers/0")).put("image", HOST + "/team/app:1.0");
        assertThat(patched).isEqualTo(JSON.readTree(deployment));

        // Applied again (reinvocation), the pinned object needs no patch.
        AdmissionDecision again = admission(Admission.Mode.ENFORCE).mutate(review("CREATE", "Deployment", "apps",
                JSON.writeValueAsString(JsonPatches.apply(JSON.readTree(deployment), patch)), null), registry);
        assertThat(again.patch().isEmpty()).isTrue();
        assertThat(JSON.valueToTree(review.answer(again)).path("response").has("patchType")).isFalse();
    }
}
