package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Role;
import dev.stowage.core.event.RegistryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** Listing a project's content and deleting repositories and projects through the admin API, over HTTP. */
class ProjectLifecycleTest {
    static final String ADMIN = basic("admin", "adminpw");
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    @TempDir Path root;
    AuthenticatedRegistry registry;
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("guest").user("dev").user("keeper").user("boss")
                .project("team", false).project("other", false)
                .member("team", "guest", Role.GUEST).member("team", "dev", Role.DEVELOPER)
                .member("team", "keeper", Role.MAINTAINER).member("team", "boss", Role.ADMIN)
                .governance().quotas(event -> { }).events(events::add).start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpResponse<String> api(String method, String path, String who) throws Exception {
        return registry.call(method, path, who.equals("admin") ? ADMIN : basic(who, who + "pw"), null);
    }

    /** Pushes an image of a config and a layer (each {@code size} bytes, filled with {@code fill}); answers its digest. */
    Digest pushImage(String repository, String tag, char fill, int size) throws Exception {
        String token = registry.token("admin", "adminpw", "repository:" + repository + ":pull,push");
        String config = "{\"c\":\"" + String.valueOf(fill).repeat(size - 8) + "\"}";
        String layer = String.valueOf(fill).repeat(size);
        for (String blob : List.of(config, layer)) {
            Digest digest = Digest.sha256Of(blob.getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = registry.send(registry.request("/v2/" + repository + "/blobs/uploads/?digest=" + digest)
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(blob)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        String manifest = QuotaTest.manifest(config, layer);
        HttpResponse<String> r = registry.send(registry.request("/v2/" + repository + "/manifests/" + tag)
                .header("Authorization", "Bearer " + token).header("Content-Type", MANIFEST_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Digest.sha256Of(manifest.getBytes(StandardCharsets.UTF_8));
    }

    static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    @Test
    void aProjectsRepositoriesAreListedWithArtifactCountSizeAndTimes() throws Exception {
        Digest digest = pushImage("team/app", "v1", 'a', 100);
        pushImage("team/base", "v1", 'b', 100);
        pushImage("other/app", "v1", 'c', 100);
        String token = registry.token("admin", "adminpw", "repository:team/app:pull");
        registry.send(registry.request("/v2/team/app/manifests/v1").header("Authorization", "Bearer " + token)
                .header("Accept", MANIFEST_TYPE));
        registry.service.flushPulls();
        HttpResponse<String> r = api("GET", "/api/v1/projects/team/repositories", "guest");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode list = JSON.readTree(r.body()).path("repositories");
        assertThat(list.findValuesAsText("name")).containsExactly("team/app", "team/base");
        JsonNode app = list.path(0);
        int manifestBytes = registry.metadata.findManifest(RepositoryName.of("team/app"), digest).orElseThrow().payload().length;
        assertThat(app.path("artifacts").asLong()).isEqualTo(1);
        assertThat(app.path("sizeBytes").asLong()).isEqualTo(200 + manifestBytes);
        assertThat(app.path("lastPushedAt").isTextual()).isTrue();
        assertThat(app.path("lastPulledAt").isTextual()).isTrue();
        assertThat(list.path(1).path("lastPulledAt").isNull()).isTrue();
        assertThat(JSON.readTree(r.body()).has("next")).isFalse();
    }

    @Test
    void repositoriesArePagedWithNAndLast() throws Exception {
        for (String name : List.of("a", "b", "c")) pushImage("team/" + name, "v1", name.charAt(0), 20);
        HttpResponse<String> first = api("GET", "/api/v1/projects/team/repositories?n=2", "guest");
        assertThat(JSON.readTree(first.body()).path("repositories").findValuesAsText("name")).containsExactly("team/a", "team/b");
        assertThat(JSON.readTree(first.body()).path("next").asText()).isEqualTo("team/b");
        assertThat(first.headers().firstValue("Link")).hasValue(
                "</api/v1/projects/team/repositories?n=2&last=team%2Fb>; rel=\"next\"");
        HttpResponse<String> second = api("GET", "/api/v1/projects/team/repositories?n=2&last=team/b", "guest");
        assertThat(JSON.readTree(second.body()).path("repositories").findValuesAsText("name")).containsExactly("team/c");
        HttpResponse<String> bad = api("GET", "/api/v1/projects/team/repositories?n=0", "guest");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad)).isEqualTo("PAGINATION_NUMBER_INVALID");
    }

    @Test
    void aRepositorysArtifactsAreListedWithDigestTagsTypeSizeAndTimes() throws Exception {
        Digest digest = pushImage("team/app", "v1", 'a', 100);
        String token = registry.token("admin", "adminpw", "repository:team/app:pull,push");
        String manifest = new String(registry.metadata.findManifest(RepositoryName.of("team/app"), digest).orElseThrow()
                .payload(), StandardCharsets.UTF_8);
        registry.send(registry.request("/v2/team/app/manifests/latest").header("Authorization", "Bearer " + token)
                .header("Content-Type", MANIFEST_TYPE).PUT(HttpRequest.BodyPublishers.ofString(manifest)));
        HttpResponse<String> r = api("GET", "/api/v1/repositories/team/app/artifacts", "guest");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("repository").asText()).isEqualTo("team/app");
        JsonNode artifact = body.path("artifacts").path(0);
        assertThat(artifact.path("digest").asText()).isEqualTo(digest.toString());
        assertThat(JSON.convertValue(artifact.path("tags"), List.class)).containsExactly("latest", "v1");
        assertThat(artifact.path("mediaType").asText()).isEqualTo(MANIFEST_TYPE);
        assertThat(artifact.path("sizeBytes").asLong()).isEqualTo(200 + manifest.length());
        assertThat(artifact.path("pushedAt").isTextual()).isTrue();
        assertThat(artifact.path("lastPulledAt").isNull()).isTrue();
        HttpResponse<String> missing = api("GET", "/api/v1/repositories/team/nothing/artifacts", "guest");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void contentIsListedToMembersOnly() throws Exception {
        pushImage("team/app", "v1", 'a', 20);
        assertThat(api("GET", "/api/v1/projects/other/repositories", "guest").statusCode()).isEqualTo(403);
        assertThat(api("GET", "/api/v1/repositories/other/app/artifacts", "dev").statusCode()).isEqualTo(403);
        assertThat(registry.call("GET", "/api/v1/projects/team/repositories", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aMaintainerDeletesARepositoryWithAllItHoldsAndEachArtifactIsAnnounced() throws Exception {
        Digest digest = pushImage("team/app", "v1", 'a', 20);
        assertThat(api("DELETE", "/api/v1/repositories/team/app", "dev").statusCode()).isEqualTo(403);
        HttpResponse<String> r = api("DELETE", "/api/v1/repositories/team/app", "keeper");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("artifactsDeleted").asInt()).isEqualTo(1);
        assertThat(registry.metadata.repositoryExists(RepositoryName.of("team/app"))).isFalse();
        String token = registry.token("admin", "adminpw", "repository:team/app:pull");
        assertThat(registry.send(registry.request("/v2/team/app/manifests/v1").header("Authorization", "Bearer " + token))
                .statusCode()).isEqualTo(404);
        assertThat(events).filteredOn(e -> e.type() == RegistryEvent.Type.DELETE).singleElement()
                .satisfies(e -> {
                    assertThat(e.digest()).isEqualTo(digest.toString());
                    assertThat(e.actor()).isEqualTo("keeper");
                });
        HttpResponse<String> again = api("DELETE", "/api/v1/repositories/team/app", "keeper");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(error(again)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void aRepositoryHoldingAnImmutableTagIsNotDeleted() throws Exception {
        pushImage("team/app", "v1", 'a', 20);
        HttpResponse<String> rule = registry.call("POST", "/api/v1/projects/team/immutable-rules", ADMIN,
                "{\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\","
                        + "\"pattern\":\"**\"}]},\"tag_selectors\":[{\"kind\":\"doublestar\",\"decoration\":\"matches\","
                        + "\"pattern\":\"v*\"}]}");
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
        HttpResponse<String> r = api("DELETE", "/api/v1/repositories/team/app", "admin");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(error(r)).isEqualTo("DENIED");
        assertThat(registry.metadata.repositoryExists(RepositoryName.of("team/app"))).isTrue();
    }

    @Test
    void aProjectWithRepositoriesIsNotDeletedUnlessForced() throws Exception {
        pushImage("team/app", "v1", 'a', 20);
        HttpResponse<String> refused = api("DELETE", "/api/v1/projects/team", "admin");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(error(refused)).isEqualTo("CONFLICT");
        assertThat(JSON.readTree(refused.body()).path("errors").path(0).path("message").asText()).isEqualTo(
                "project team still has repositories: delete them first, or delete the project with them (?force=true,"
                        + " or --force on the command line)");
        HttpResponse<String> forced = api("DELETE", "/api/v1/projects/team?force=true", "admin");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
        assertThat(JSON.readTree(forced.body()).path("repositoriesDeleted").asInt()).isEqualTo(1);
        assertThat(registry.identities.findProject("team")).isEmpty();
        assertThat(registry.identities.findRole("team", "keeper")).isEmpty();
        assertThat(registry.metadata.repositoryExists(RepositoryName.of("team/app"))).isFalse();
        assertThat(api("GET", "/api/v1/projects/team", "admin").statusCode()).isEqualTo(404);
    }

    @Test
    void anEmptyProjectIsDeletedAndOnlyBySystemAdministrators() throws Exception {
        assertThat(api("DELETE", "/api/v1/projects/other", "boss").statusCode()).isEqualTo(403);
        assertThat(api("DELETE", "/api/v1/projects/team", "boss").statusCode()).isEqualTo(403);
        HttpResponse<String> r = api("DELETE", "/api/v1/projects/other", "admin");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(registry.identities.findProject("other")).isEmpty();
        HttpResponse<String> missing = api("DELETE", "/api/v1/projects/other", "admin");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(api("DELETE", "/api/v1/projects/team?force=maybe", "admin").statusCode()).isEqualTo(400);
    }

    @Test
    void aDeletedProjectTakesItsRobotsAndAcceptsNoMorePushes() throws Exception {
        HttpResponse<String> robot = registry.call("POST", "/api/v1/projects/team/robots", ADMIN,
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"push\",\"pull\"]}]}");
        assertThat(robot.statusCode()).as(robot.body()).isEqualTo(201);
        assertThat(api("DELETE", "/api/v1/projects/team", "admin").statusCode()).isEqualTo(200);
        assertThat(registry.identities.findRobot("robot$team+ci")).isEmpty();
        String token = registry.token("admin", "adminpw", "repository:team/app:pull,push");
        HttpResponse<String> push = registry.send(registry.request("/v2/team/app/blobs/uploads/")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(push.statusCode()).isEqualTo(404);
        assertThat(error(push)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void theOpenApiDocumentDescribesTheseRoutes() throws Exception {
        JsonNode paths = JSON.readTree(registry.send(registry.request("/api/v1/openapi.json")).body()).path("paths");
        assertThat(paths.path("/api/v1/projects/{name}").has("delete")).isTrue();
        assertThat(paths.path("/api/v1/projects/{name}/repositories").has("get")).isTrue();
        assertThat(paths.path("/api/v1/repositories/{repository}").has("delete")).isTrue();
        assertThat(paths.path("/api/v1/repositories/{repository}/artifacts").has("get")).isTrue();
        assertThat(paths.path("/api/v1/projects/{name}/quota").has("patch")).isTrue();
    }
}
