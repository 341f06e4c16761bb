package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stowage admin} against a running registry, as an operator would use it. */
class AdminCliTest {
    static final String PASSWORD = "cli-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    static Clients.Result cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                StowageProcess.jar().toString(), "admin", "--url", stowage.baseUrl()));
        command.addAll(List.of(args));
        return Clients.run(command, env, 120);
    }

    static JsonNode json(Clients.Result r) throws Exception {
        String out = r.output();
        return JSON.readTree(out.substring(out.indexOf('\n') + 1));
    }

    @Test
    void operatorCreatesAUserProjectMembershipAndRobot() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "a-long-new-password");
        cli(env, "users", "create", "erin").ok();
        cli(env, "projects", "create", "erins", "--public").ok();
        cli(env, "members", "set", "erins", "erin", "maintainer").ok();
        JsonNode members = json(cli(env, "members", "list", "erins").ok());
        assertThat(members.path(0).path("role").asText()).isEqualTo("maintainer");
        JsonNode robot = json(cli(env, "robots", "create", "deployer", "--allow", "erins/**=pull,push", "--expires", "7d").ok());
        assertThat(robot.path("name").asText()).isEqualTo("robot$deployer");
        assertThat(robot.path("secret").asText()).hasSizeGreaterThan(20);
        JsonNode users = json(cli(env, "users", "list").ok());
        assertThat(users.findValuesAsText("username")).contains("admin", "erin");
    }

    @Test
    void aProjectAdministratorManagesTheProjectsRobotsAndTheirOwnSessions() throws Exception {
        Map<String, String> admin = Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "gina-long-password");
        cli(admin, "users", "create", "gina").ok();
        cli(admin, "projects", "create", "ginas").ok();
        cli(admin, "members", "set", "ginas", "gina", "admin").ok();
        Map<String, String> gina = Map.of("STOWAGE_PASSWORD", "gina-long-password");
        JsonNode robot = json(cli(gina, "--user", "gina", "robots", "--project", "ginas", "create", "ci",
                "--allow", "ginas/**=pull,push").ok());
        assertThat(robot.path("name").asText()).isEqualTo("robot$ginas+ci");
        assertThat(json(cli(gina, "--user", "gina", "robots", "--project", "ginas", "list").ok()).findValuesAsText("name"))
                .containsExactly("robot$ginas+ci");
        assertThat(cli(gina, "--user", "gina", "robots", "list").exitCode()).isEqualTo(1);
        assertThat(json(cli(gina, "--user", "gina", "sessions", "list", "gina").ok()).isArray()).isTrue();
        assertThat(json(cli(gina, "--user", "gina", "sessions", "revoke-all", "gina").ok()).path("revoked").asInt()).isZero();
    }

    @Test
    void governanceFromTheCommandLine() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD);
        cli(env, "projects", "create", "gov").ok();
        JsonNode rule = json(cli(env, "immutable", "add", "gov", "{\"scope_selectors\":{\"repository\":[{\"kind\":"
                + "\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]},\"tag_selectors\":[{\"kind\":"
                + "\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"v*\"}]}").ok());
        assertThat(rule.path("description").asText()).contains("v*");
        assertThat(json(cli(env, "immutable", "list", "gov").ok()).size()).isEqualTo(1);
        assertThat(json(cli(env, "quota", "set", "gov", "--artifacts", "10").ok()).path("artifacts").asLong()).isEqualTo(10);
        cli(env, "retention", "set", "gov", "harbor", "{\"rules\":[]}", "--schedule", "@daily").ok();
        assertThat(json(cli(env, "retention", "run", "gov", "--dry-run").ok()).path("dryRun").asBoolean()).isTrue();
        assertThat(json(cli(env, "gc", "--dry-run").ok()).path("dryRun").asBoolean()).isTrue();
        Clients.Result internal = cli(env, "webhooks", "create", "gov", "http://127.0.0.1:9/hook", "--events", "push");
        assertThat(internal.exitCode()).isEqualTo(1);
        assertThat(internal.output()).contains("HTTP 400").contains("127.0.0.1 is a loopback address");
        JsonNode hook = json(cli(env, "webhooks", "create", "gov", "http://198.51.100.7:9/hook", "--events", "push,gc_completed").ok());
        assertThat(hook.path("secret").asText()).isNotEmpty();
        String hookId = hook.path("webhook").path("id").asText();
        assertThat(json(cli(env, "webhooks", "list", "gov").ok()).size()).isEqualTo(1);
        assertThat(json(cli(env, "webhooks", "deliveries", "gov", hookId).ok()).isArray()).isTrue();
        cli(env, "webhooks", "delete", "gov", hookId).ok();
        Clients.Result bad = cli(env, "retention", "set", "gov", "ecr", "{\"rules\":[{}]}");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.output()).contains("rules[0]");
    }

    @Test
    void wrongPasswordFailsWithTheHttpStatus() throws Exception {
        Clients.Result r = cli(Map.of("STOWAGE_PASSWORD", "wrong"), "users", "list");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("HTTP 401");
    }

    /** Pushes a small image (a config, no layers) as the administrator; answers the manifest's digest. */
    static String pushImage(String repository, String tag) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
        var tokenAnswer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stowage.baseUrl()
                + "/token?service=stowage&scope=repository:" + repository + ":pull,push")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String bearer = "Bearer " + JSON.readTree(tokenAnswer.body()).path("token").asText();
        byte[] config = ("{\"image\":\"" + repository + ":" + tag + "\"}").getBytes();
        String configDigest = dev.stowage.it.support.TestImages.sha256(config);
        var blob = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stowage.baseUrl() + "/v2/" + repository
                + "/blobs/uploads/?digest=" + configDigest)).header("Authorization", bearer)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(config)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(blob.statusCode()).as(blob.body()).isEqualTo(201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[]}";
        var put = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stowage.baseUrl() + "/v2/" + repository
                + "/manifests/" + tag)).header("Authorization", bearer).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(manifest)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    @Test
    void anOperatorListsAndDeletesRepositoriesArtifactsAndProjects() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD);
        cli(env, "projects", "create", "life").ok();
        String digest = pushImage("life/app", "v1");
        pushImage("life/web", "v1");
        JsonNode repos = json(cli(env, "repos", "list", "life").ok());
        assertThat(repos.path("repositories").findValuesAsText("name")).containsExactly("life/app", "life/web");
        assertThat(repos.path("repositories").path(0).path("artifacts").asInt()).isEqualTo(1);
        JsonNode firstPage = json(cli(env, "repos", "list", "life", "--n", "1").ok());
        assertThat(firstPage.path("next").asText()).isEqualTo("life/app");
        assertThat(json(cli(env, "repos", "list", "life", "--n", "1", "--last", "life/app").ok()).path("repositories")
                .findValuesAsText("name")).containsExactly("life/web");
        JsonNode artifacts = json(cli(env, "artifacts", "list", "life/app").ok());
        assertThat(artifacts.path("artifacts").path(0).path("digest").asText()).isEqualTo(digest);
        assertThat(artifacts.path("artifacts").path(0).path("tags").path(0).asText()).isEqualTo("v1");
        assertThat(json(cli(env, "repos", "delete", "life/web").ok()).path("artifactsDeleted").asInt()).isEqualTo(1);
        Clients.Result refused = cli(env, "projects", "delete", "life");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.output()).contains("HTTP 409").contains("project life still has repositories");
        JsonNode deleted = json(cli(env, "projects", "delete", "life", "--force").ok());
        assertThat(deleted.path("repositoriesDeleted").asInt()).isEqualTo(1);
        assertThat(json(cli(env, "projects", "list").ok()).findValuesAsText("name")).doesNotContain("life");
    }

    @Test
    void settingOneQuotaLimitKeepsTheOthersAndSizesTakeUnits() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD);
        cli(env, "projects", "create", "limits").ok();
        cli(env, "quota", "set", "limits", "--artifacts", "10", "--warning", "80").ok();
        JsonNode quota = json(cli(env, "quota", "set", "limits", "--storage", "10GiB").ok());
        assertThat(quota.path("storageBytes").asLong()).isEqualTo(10L << 30);
        assertThat(quota.path("artifacts").asLong()).isEqualTo(10);
        assertThat(quota.path("warningPercent").asInt()).isEqualTo(80);
        JsonNode cleared = json(cli(env, "quota", "set", "limits", "--artifacts", "none").ok());
        assertThat(cleared.path("artifacts").isNull()).isTrue();
        assertThat(cleared.path("storageBytes").asLong()).isEqualTo(10L << 30);
    }

    @Test
    void anAdministratorsPushIntoAProjectThatDoesNotExistIsRefusedNamingIt() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
        var tokenAnswer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stowage.baseUrl()
                + "/token?service=stowage&scope=repository:nope/app:pull,push")).header("Authorization", auth).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String bearer = "Bearer " + JSON.readTree(tokenAnswer.body()).path("token").asText();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stowage.baseUrl() + "/v2/nope/app/blobs/uploads/"))
                .header("Authorization", bearer).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("NAME_UNKNOWN").contains("project nope does not exist");
    }
}
