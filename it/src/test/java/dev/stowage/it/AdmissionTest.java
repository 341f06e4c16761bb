package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import dev.stowage.server.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admission webhooks over real HTTPS (the API server calls only HTTPS webhooks), with AdmissionReview documents
 * as kube-apiserver sends them (src/test/resources/admission), against images pushed with skopeo, the scanner's
 * pull policy enforcing "no unscanned images" in project {@code guarded} (this node runs no scan workers, so its
 * images stay unscanned), and robots as the API server's credentials: one allowed to pull team and guarded, one
 * limited to project {@code team}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionTest {
    static final String PASSWORD = "admission-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static TestCertificates certs;
    static HttpClient https;
    static StowageProcess stowage;
    static String teamDigest;
    static String guardedDigest;
    /** robot$cluster: pull on team/** and guarded/**. */
    static String clusterRobot;
    /** robot$team+kube: the project robot of team, pull on team/** only. */
    static String teamRobot;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("admission webhooks");
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        certs = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
        https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certs.clientContext(false))
                .connectTimeout(Duration.ofSeconds(10)).build();
        stowage = StowageProcess.start(dir.resolve("data"), environment("enforce"));
        for (String project : List.of("team", "guarded", "other")) {
            assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"" + project + "\"}").statusCode()).isEqualTo(201);
        }
        Path layout = dir.resolve("layout");
        TestImages.Image image = TestImages.writeImage(layout, "1.0", "amd64", "admission");
        for (String repository : List.of("team/app", "guarded/app", "other/app")) push(layout, "1.0", repository + ":1.0");
        teamDigest = image.manifestDigest();
        guardedDigest = image.manifestDigest();
        HttpResponse<String> policy = admin("PUT", "/api/v1/projects/guarded/scanning", "{\"preventUnscanned\":true}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
        clusterRobot = robot("/api/v1/robots", "cluster", "team/**", "guarded/**");
        teamRobot = robot("/api/v1/projects/team/robots", "kube", "team/**");
        awaitPolicyInForce();
    }

    static Map<String, String> environment(String mode) {
        return Map.of("STOWAGE_TLS_CERTIFICATE", certs.dir.resolve("server.crt").toString(),
                "STOWAGE_TLS_KEY", certs.dir.resolve("server.key").toString(),
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD,
                "STOWAGE_SCANNING_WORKERS", "0",
                "STOWAGE_ADMISSION_ALLOWED_EXTERNAL_REGISTRIES", "quay.io",
                "STOWAGE_ADMISSION_MODE", mode);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    // --- the tests ---------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aPodOfPassingImagesIsAllowedAndTheMutatingWebhookPinsItsTagsToTheDigestsChecked() throws Exception {
        String app = registry() + "/team/app:1.0";
        String init = registry() + "/team/app"; // :latest, absent: the init container is what fails below
        JsonNode allowed = validate(clusterRobot, fixture("pod-create.json", Map.of("APP_IMAGE", app, "INIT_IMAGE", app)));
        assertThat(allowed.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(allowed.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(allowed.path("response").path("uid").asText()).isEqualTo("0df28fbd-5f5f-11e8-bc74-36e6bb280816");
        assertThat(allowed.path("response").path("allowed").asBoolean()).as(allowed.toString()).isTrue();
        assertThat(allowed.path("response").has("warnings")).isFalse();

        String pod = fixture("pod-create.json", Map.of("APP_IMAGE", app, "INIT_IMAGE", init));
        JsonNode denied = validate(clusterRobot, pod);
        assertThat(denied.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(denied.path("response").path("status").path("code").asInt()).isEqualTo(403);
        assertThat(denied.path("response").path("status").path("message").asText()).isEqualTo("init container 'migrate' "
                + "image '" + init + "': not found in this registry (no such repository, tag or digest, or the webhook's "
                + "credentials may not pull it)");

        JsonNode mutated = call("/api/v1/admission/mutate", clusterRobot, pod);
        JsonNode response = mutated.path("response");
        assertThat(response.path("uid").asText()).isEqualTo("0df28fbd-5f5f-11e8-bc74-36e6bb280816");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        JsonNode object = JSON.readTree(pod).path("request").path("object");
        JsonNode patched = applyPatch(object, patch);
        assertThat(patched.at("/spec/containers/0/image").asText()).isEqualTo(app + "@" + teamDigest);
        assertThat(patched.at("/spec/initContainers/0/image").asText()).as("not found: left alone").isEqualTo(init);
        assertThat(patch.size()).as("a test and a replace, for the one image pinned").isEqualTo(2);
        // The digest is the one the registry serves for the tag.
        String inspected = run(cmd("skopeo", "inspect", "--cert-dir", trustDir().toString(), "--creds", "admin:" + PASSWORD,
                "docker://" + registry() + "/team/app@" + teamDigest)).output();
        assertThat(inspected).contains(teamDigest);
    }

    @Test
    @Order(2)
    void anImageTheProjectsPolicyRefusesIsDeniedWithTheReasonPerImage() throws Exception {
        String guarded = registry() + "/guarded/app:1.0";
        JsonNode denied = validate(clusterRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", guarded)));
        assertThat(denied.path("response").path("uid").asText()).isEqualTo("e911857d-c318-11e8-bbad-025000000001");
        assertThat(denied.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(denied.path("response").path("status").path("message").asText()).isEqualTo("container 'hello' image '"
                + guarded + "': pull refused by the policy of project 'guarded': the image has no completed vulnerability "
                + "scan (queued); scan it with POST /api/v1/repositories/guarded/app/artifacts/" + guardedDigest
                + "/scan and see the result at GET /api/v1/repositories/guarded/app/artifacts/" + guardedDigest
                + "/vulnerabilities");
        // The mutating webhook pins nothing that fails.
        JsonNode mutated = call("/api/v1/admission/mutate", clusterRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", guarded)));
        assertThat(mutated.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(mutated.path("response").has("patch")).isFalse();
        // A pull says the same.
        Clients.Result pull = run(cmd("skopeo", "inspect", "--cert-dir", trustDir().toString(), "--creds", "admin:" + PASSWORD,
                "docker://" + guarded));
        assertThat(pull.exitCode()).isNotZero();
        assertThat(pull.output()).contains("pull refused by the policy of project 'guarded'");
    }

    @Test
    @Order(3)
    void foreignRegistriesAreDeniedAndAllowedExternalOnesAdmittedUncheckedWithAWarning() throws Exception {
        String deployment = fixture("deployment-update.json", Map.of("OLD_IMAGE", registry() + "/team/app:1.0",
                "NEW_IMAGE", "quay.io/prometheus/node-exporter:v1.8.0"));
        JsonNode external = validate(clusterRobot, deployment);
        assertThat(external.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(texts(external.path("response").path("warnings"))).containsExactly("container 'nginx' image "
                + "'quay.io/prometheus/node-exporter:v1.8.0': registry quay.io is allowed unchecked "
                + "(admission.allowedExternalRegistries); neither resolved nor checked against the image policy");

        JsonNode foreign = validate(clusterRobot, fixture("deployment-update.json", Map.of("OLD_IMAGE", registry()
                + "/team/app:1.0", "NEW_IMAGE", "nginx:1.25")));
        assertThat(foreign.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(foreign.path("response").path("status").path("message").asText()).isEqualTo("container 'nginx' image "
                + "'nginx:1.25': registry docker.io is not this registry, and not among the external registries allowed "
                + "(admission.allowedExternalRegistries)");

        // An update that keeps the image the Deployment already ran (a scale, a label) is never refused for it.
        JsonNode unchanged = validate(clusterRobot, fixture("deployment-update.json", Map.of("OLD_IMAGE", "nginx:1.25",
                "NEW_IMAGE", "nginx:1.25")));
        assertThat(unchanged.path("response").path("allowed").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void aRobotOfOneProjectCannotProbeAnotherProjectsImages() throws Exception {
        String team = registry() + "/team/app:1.0";
        assertThat(validate(teamRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", team)))
                .path("response").path("allowed").asBoolean()).isTrue();
        String other = validate(teamRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/other/app:1.0")))
                .path("response").path("status").path("message").asText();
        String guarded = validate(teamRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/guarded/app:1.0")))
                .path("response").path("status").path("message").asText();
        String missing = validate(teamRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/nowhere/app:1.0")))
                .path("response").path("status").path("message").asText();
        String suffix = ": not found in this registry (no such repository, tag or digest, or the webhook's credentials may "
                + "not pull it)";
        assertThat(other).isEqualTo("container 'hello' image '" + registry() + "/other/app:1.0'" + suffix);
        assertThat(guarded).as("not even the policy's refusal leaks").isEqualTo("container 'hello' image '" + registry()
                + "/guarded/app:1.0'" + suffix);
        assertThat(missing).isEqualTo("container 'hello' image '" + registry() + "/nowhere/app:1.0'" + suffix);
        // By digest too: the digest exists (team/app has it), but not for this caller in other/app.
        String byDigest = validate(teamRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/other/app@"
                + teamDigest))).path("response").path("status").path("message").asText();
        assertThat(byDigest).endsWith(suffix);
    }

    @Test
    @Order(5)
    void callersMustSignInAndBadDocumentsGetA400NeverA5xx() throws Exception {
        String review = fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/team/app:1.0"));
        assertThat(post("/api/v1/admission/validate", null, review).statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/admission/validate", basicOf("robot$cluster", "wrong-secret"), review).statusCode())
                .isEqualTo(401);

        HttpResponse<String> notJson = post("/api/v1/admission/validate", basic(clusterRobot), "{\"apiVersion\":");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("errors").path(0).path("message").asText())
                .startsWith("the body is not valid JSON");
        HttpResponse<String> beta = post("/api/v1/admission/mutate", basic(clusterRobot),
                review.replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1"));
        assertThat(beta.statusCode()).isEqualTo(400);
        assertThat(beta.body()).contains("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview");
        HttpResponse<String> noUid = post("/api/v1/admission/validate", basic(clusterRobot),
                review.replace("\"uid\": \"e911857d-c318-11e8-bbad-025000000001\",", ""));
        assertThat(noUid.statusCode()).isEqualTo(400);
        assertThat(noUid.body()).contains("has no uid");
        String deep = review.replace("\"status\": {}", "\"status\": " + "[".repeat(50_000) + "]".repeat(50_000));
        HttpResponse<String> nested = post("/api/v1/admission/validate", basic(clusterRobot), deep);
        assertThat(nested.statusCode()).isEqualTo(400);
        assertThat(nested.body()).contains("nested too deeply");
        String huge = review.replace("\"status\": {}", "\"status\": {\"x\": \"" + "a".repeat(5 * 1024 * 1024) + "\"}");
        HttpResponse<String> tooLarge = post("/api/v1/admission/validate", basic(clusterRobot), huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);

        // 10,000 containers: a denial the API server shows, answered without resolving them.
        ObjectNode many = (ObjectNode) JSON.readTree(fixture("pod-create.json", Map.of("APP_IMAGE", registry() + "/team/app:1.0",
                "INIT_IMAGE", registry() + "/team/app:1.0")));
        ArrayNode containers = (ArrayNode) many.at("/request/object/spec/containers");
        for (int i = 1; i < 10_000; i++) {
            containers.addObject().put("name", "c" + i).put("image", registry() + "/team/app:" + i);
        }
        JsonNode tooMany = validate(clusterRobot, JSON.writeValueAsString(many));
        assertThat(tooMany.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(tooMany.path("response").path("status").path("message").asText())
                .isEqualTo("Pod has more than 1000 container images; Stowage checks at most 1000 in one object");
        // The server is still answering.
        assertThat(validate(clusterRobot, review).path("response").path("allowed").asBoolean()).isTrue();
    }

    @Test
    @Order(6)
    void everyReviewIsInTheAuditTrailWithItsOutcomeAndImages() throws Exception {
        String guarded = registry() + "/guarded/app:1.0";
        String uid = java.util.UUID.randomUUID().toString();
        validate(clusterRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", guarded))
                .replace("e911857d-c318-11e8-bbad-025000000001", uid));
        JsonNode record = null;
        for (int attempt = 0; attempt < 50 && record == null; attempt++) { // the trail is written in batches every 200 ms
            JsonNode records = JSON.readTree(admin("GET", "/api/v1/audit?action=admission&limit=1000", null).body())
                    .path("records");
            for (JsonNode r : records) if (r.path("detail").asText().contains("uid=" + uid)) record = r;
            if (record == null) Thread.sleep(200);
        }
        assertThat(record).as("the review's record").isNotNull();
        assertThat(record.path("action").asText()).isEqualTo("admission");
        assertThat(record.path("actor").asText()).isEqualTo("robot$cluster");
        assertThat(record.path("reference").asText()).isEqualTo("CronJob shop/hello");
        assertThat(record.path("outcome").asInt()).isEqualTo(200);
        assertThat(record.path("detail").asText()).startsWith("validate CREATE denied (enforce) uid=" + uid + " images: "
                + guarded + " -> " + guardedDigest + " refused: pull refused by the policy of project 'guarded'");
    }

    /**
     * Latency of validating reviews with cached verdicts, printed (not asserted): a Pod with two images (one denied), as
     * the API server would send it repeatedly, over one kept-alive HTTPS connection; beside it, the floor on this
     * machine now: the same document as a DELETE (signed in, parsed, answered and audited, no image looked at).
     */
    @Test
    @Order(7)
    void latencyOfCachedReviewsIsPrinted() throws Exception {
        String review = fixture("pod-create.json", Map.of("APP_IMAGE", registry() + "/team/app:1.0",
                "INIT_IMAGE", registry() + "/guarded/app:1.0"));
        String floor = review.replace("\"operation\": \"CREATE\"", "\"operation\": \"DELETE\"");
        assertThat(floor).isNotEqualTo(review);
        for (int round = 0; round < 2; round++) { // interleaved, so both see the same load
            System.out.println(latency("validate", review) + "; " + latency("DELETE floor", floor));
        }
    }

    static String latency(String what, String review) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/api/v1/admission/validate"))
                .header("Authorization", basic(clusterRobot)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review)).build();
        for (int i = 0; i < 200; i++) https.send(request, HttpResponse.BodyHandlers.discarding()); // warm-up
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = https.send(request, HttpResponse.BodyHandlers.ofString());
            micros.add((System.nanoTime() - start) / 1000);
            assertThat(r.statusCode()).isEqualTo(200);
        }
        Collections.sort(micros);
        return String.format("admission %s latency over %d reviews (%d bytes): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, "
                        + "max %.2f ms", what, micros.size(), review.length(), micros.get(micros.size() / 2) / 1000.0,
                micros.get(micros.size() * 9 / 10) / 1000.0, micros.get(micros.size() * 99 / 100) / 1000.0,
                micros.getLast() / 1000.0);
    }

    /** A user's personal access token, as a kubeconfig's {@code token:} sends it (Bearer), works as the robots do. */
    @Test
    @Order(9)
    void aPersonalAccessTokenAsBearerIsAcceptedAndRegistryTokensAreNot() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/v1/users/admin/tokens", "{\"name\":\"kube-apiserver\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String pat = JSON.readTree(created.body()).path("token").asText();
        String review = fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/team/app:1.0"));
        HttpResponse<String> answered = post("/api/v1/admission/validate", "Bearer " + pat, review);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(JSON.readTree(answered.body()).path("response").path("allowed").asBoolean()).isTrue();

        HttpResponse<String> token = https.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl()
                        + "/token?service=stowage&scope=repository:team/app:pull"))
                .header("Authorization", basicOf("admin", PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        String registryToken = JSON.readTree(token.body()).path("token").asText();
        assertThat(post("/api/v1/admission/validate", "Bearer " + registryToken, review).statusCode()).isEqualTo(401);
    }

    /** Audit mode, on a node started so: the same denial becomes a warning and the review is allowed. */
    @Test
    @Order(20)
    void auditModeAllowsWithTheDenialsAsWarnings() throws Exception {
        stowage.close();
        stowage = StowageProcess.start(dir.resolve("data"), environment("audit"));
        String guarded = registry() + "/guarded/app:1.0";
        JsonNode answer = null;
        for (int attempt = 0; attempt < 50; attempt++) { // policies are loaded within seconds of the start
            answer = validate(clusterRobot, fixture("cronjob-create.json", Map.of("APP_IMAGE", guarded)));
            if (answer.path("response").has("warnings")) break;
            Thread.sleep(200);
        }
        assertThat(answer.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("response").has("status")).isFalse();
        assertThat(texts(answer.path("response").path("warnings"))).singleElement().asString()
                .startsWith("audit mode, would be denied: container 'hello' image '" + guarded + "': pull refused by the "
                        + "policy of project 'guarded': the image has no completed vulnerability scan");
    }

    // --- helpers -----------------------------------------------------------------------------------------

    /** Until the scanner's policy (re-read every 2 s) refuses the guarded image: then the tests start. */
    static void awaitPolicyInForce() throws Exception {
        String review = fixture("cronjob-create.json", Map.of("APP_IMAGE", registry() + "/guarded/app:1.0"));
        for (int attempt = 0; attempt < 100; attempt++) {
            if (!validate(clusterRobot, review).path("response").path("allowed").asBoolean()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the guarded project's policy never came into force");
    }

    static String registry() {
        return stowage.hostPort();
    }

    static Path trustDir() throws Exception {
        Path trust = dir.resolve("trust");
        if (!Files.exists(trust)) {
            Files.createDirectories(trust);
            Files.copy(certs.dir.resolve("ca.crt"), trust.resolve("ca.crt"));
        }
        return trust;
    }

    static void push(Path layout, String tag, String destination) throws Exception {
        Clients.Result pushed = run(cmd("skopeo", "copy", "--dest-cert-dir", trustDir().toString(), "--dest-creds",
                "admin:" + PASSWORD, "oci:" + layout + ":" + tag, "docker://" + registry() + "/" + destination));
        assertThat(pushed.exitCode()).as(pushed.output()).isZero();
    }

    /** Creates a robot with pull on each pattern; answers "name:secret". */
    static String robot(String path, String name, String... patterns) throws Exception {
        StringBuilder permissions = new StringBuilder();
        for (String pattern : patterns) {
            permissions.append(permissions.isEmpty() ? "" : ",").append("{\"repository\":\"").append(pattern)
                    .append("\",\"actions\":[\"pull\"]}");
        }
        HttpResponse<String> created = admin("POST", path, "{\"name\":\"" + name + "\",\"permissions\":[" + permissions + "]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode robot = JSON.readTree(created.body());
        return robot.path("name").asText() + ":" + robot.path("secret").asText();
    }

    static String fixture(String name, Map<String, String> images) throws Exception {
        String text;
        try (InputStream in = AdmissionTest.class.getResourceAsStream("/admission/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> image : images.entrySet()) text = text.replace("${" + image.getKey() + "}", image.getValue());
        assertThat(text).doesNotContain("${");
        return text;
    }

    static JsonNode validate(String credentials, String review) throws Exception {
        return call("/api/v1/admission/validate", credentials, review);
    }

    static JsonNode call(String path, String credentials, String review) throws Exception {
        HttpResponse<String> r = post(path, basic(credentials), review);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) request.header("Authorization", authorization);
        return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path))
                .header("Authorization", basicOf("admin", PASSWORD))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    static String basicOf(String user, String password) {
        return basic(user + ":" + password);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** RFC 6902 test and replace, as the API server applies a webhook's patch: a failed test fails the patch. */
    static JsonNode applyPatch(JsonNode document, JsonNode patch) {
        JsonNode result = document.deepCopy();
        for (JsonNode operation : patch) {
            com.fasterxml.jackson.core.JsonPointer pointer = com.fasterxml.jackson.core.JsonPointer.compile(operation.path("path").asText());
            JsonNode current = result.at(pointer);
            assertThat(current.isMissingNode()).as("path " + pointer + " exists").isFalse();
            switch (operation.path("op").asText()) {
                case "test" -> assertThat(current).as("test at " + pointer).isEqualTo(operation.get("value"));
                case "replace" -> {
                    JsonNode parent = result.at(pointer.head());
                    if (parent instanceof ArrayNode array) {
                        array.set(pointer.last().getMatchingIndex(), operation.get("value"));
                    } else {
                        ((ObjectNode) parent).set(pointer.last().getMatchingProperty(), operation.get("value"));
                    }
                }
                default -> throw new AssertionError("unexpected operation " + operation);
            }
        }
        return result;
    }
}
