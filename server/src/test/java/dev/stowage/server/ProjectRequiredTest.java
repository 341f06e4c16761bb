package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With access control on, no repository exists outside a project: every first write of a push (upload start, whole
 * upload, mount, manifest put) into a project that does not exist is refused with 404 NAME_UNKNOWN naming the project
 * and how to create it, whoever pushes, and leaves nothing behind.
 */
class ProjectRequiredTest {
    static final String MISSING = "project nope does not exist; create it with `stowage admin projects create nope`"
            + " (with auth.createProjectsOnPush on, a user's first push creates it; robots never create projects)";

    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").project("team", false).start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    String adminToken(String repository) throws Exception {
        return registry.token("admin", "adminpw", "repository:" + repository + ":pull,push");
    }

    HttpResponse<String> send(String method, String path, String bearer, String contentType, String body) throws Exception {
        HttpRequest.Builder b = registry.request(path).header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return registry.send(b);
    }

    static void assertRefusedNaming(HttpResponse<String> r, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(AuthenticatedRegistry.errorCode(r)).isEqualTo("NAME_UNKNOWN");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText()).isEqualTo(message);
    }

    @Test
    void anAdministratorCannotStartAnUploadInAProjectThatDoesNotExist() throws Exception {
        HttpResponse<String> r = send("POST", "/v2/nope/app/blobs/uploads/", adminToken("nope/app"), null, null);
        assertRefusedNaming(r, MISSING);
        assertThat(registry.metadata.repositoryExists(RepositoryName.of("nope/app"))).isFalse();
    }

    @Test
    void anAdministratorCannotUploadAWholeBlobIntoAProjectThatDoesNotExist() throws Exception {
        Digest digest = Digest.sha256Of("layer".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send("POST", "/v2/nope/app/blobs/uploads/?digest=" + digest, adminToken("nope/app"),
                "application/octet-stream", "layer");
        assertRefusedNaming(r, MISSING);
        assertThat(registry.metadata.findBlob(digest)).isEmpty();
    }

    @Test
    void anAdministratorCannotMountIntoAProjectThatDoesNotExist() throws Exception {
        Digest digest = Digest.sha256Of("shared".getBytes(StandardCharsets.UTF_8));
        String token = registry.token("admin", "adminpw", "repository:team/app:pull,push");
        assertThat(send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest, token, "application/octet-stream",
                "shared").statusCode()).isEqualTo(201);
        String both = registry.token("admin", "adminpw", "repository:nope/app:pull,push repository:team/app:pull");
        HttpResponse<String> r = send("POST", "/v2/nope/app/blobs/uploads/?mount=" + digest + "&from=team/app", both,
                null, null);
        assertRefusedNaming(r, MISSING);
        assertThat(registry.metadata.repositoryExists(RepositoryName.of("nope/app"))).isFalse();
    }

    @Test
    void anAdministratorCannotPutAManifestIntoAProjectThatDoesNotExist() throws Exception {
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
        HttpResponse<String> r = send("PUT", "/v2/nope/app/manifests/v1", adminToken("nope/app"),
                "application/vnd.oci.image.index.v1+json", manifest);
        assertRefusedNaming(r, MISSING);
    }

    @Test
    void aTopLevelRepositoryNeedsAProjectOfItsName() throws Exception {
        HttpResponse<String> r = send("POST", "/v2/toplevel/blobs/uploads/", adminToken("toplevel"), null, null);
        assertRefusedNaming(r, "repository toplevel is top-level, so it belongs to a project of the same name, and project"
                + " toplevel does not exist; create it with `stowage admin projects create toplevel` (with"
                + " auth.createProjectsOnPush on, a user's first push creates it; robots never create projects)");
        assertThat(registry.call("POST", "/api/v1/projects", basic("admin", "adminpw"), "{\"name\":\"toplevel\"}")
                .statusCode()).isEqualTo(201);
        assertThat(send("POST", "/v2/toplevel/blobs/uploads/", adminToken("toplevel"), null, null).statusCode())
                .isEqualTo(202);
    }

    @Test
    void aRobotAllowedEverywhereCannotPushIntoAProjectThatDoesNotExist() throws Exception {
        HttpResponse<String> created = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"**\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = JSON.readTree(created.body()).path("secret").asText();
        String token = registry.token("robot$ci", secret, "repository:nope/app:pull,push");
        assertRefusedNaming(send("POST", "/v2/nope/app/blobs/uploads/", token, null, null), MISSING);
    }

    @Test
    void aPushIntoAnExistingProjectStillStarts() throws Exception {
        assertThat(send("POST", "/v2/team/app/blobs/uploads/", adminToken("team/app"), null, null).statusCode())
                .isEqualTo(202);
    }

    @Test
    void withAccessControlOffTheFirstPushCreatesItsProjectPrivateAndWithoutMembers(@TempDir Path open) throws Exception {
        dev.stowage.metadata.JdbcMetadataStore metadata = dev.stowage.metadata.JdbcMetadataStore.open(
                new dev.stowage.metadata.MetadataConfig("jdbc:sqlite:" + open.resolve("m.db"), "", "", 0));
        dev.stowage.metadata.JdbcIdentityStore identities = new dev.stowage.metadata.JdbcIdentityStore(metadata);
        dev.stowage.core.service.RegistryService service = new dev.stowage.core.service.RegistryService(
                new dev.stowage.storage.FileSystemBlobStore(open.resolve("blobs")), metadata,
                new dev.stowage.core.governance.ProjectPolicy(identities,
                        dev.stowage.core.governance.ProjectPolicy.Mode.CREATE_IMPLICITLY, java.time.Clock.systemUTC()),
                dev.stowage.core.service.ServiceSettings.DEFAULTS, java.time.Clock.systemUTC());
        RegistryServer server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                dev.stowage.core.access.AccessController.OPEN);
        try {
            Digest digest = Digest.sha256Of("open".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> r = registry.http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + server.port() + "/v2/fresh/app/blobs/uploads/?digest=" + digest))
                    .POST(HttpRequest.BodyPublishers.ofString("open")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(identities.findProject("fresh")).get().extracting(dev.stowage.core.access.Project::isPublic)
                    .isEqualTo(false);
            assertThat(identities.members("fresh")).isEmpty();
        } finally {
            server.close();
            metadata.close();
        }
    }
}
