package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stowage admin} against a running registry, as an operator would use it: every verb, the built jar's
 * {@code --help} and {@code --version}, and the one-line failures. (HTTPS: {@link AdminCliTlsTest}; the command
 * line's parsing and printing in detail: app's AdminCommandLineTest.)
 */
class AdminCliTest {
    static final String PASSWORD = "cli-admin-password";
    static final Map<String, String> ADMIN = Map.of("STOWAGE_PASSWORD", PASSWORD);
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        // no scan workers: scanning would attach SBOM referrers, which these listings would count as artifacts
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_SCANNING_WORKERS", "0", "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD,
                "STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.2/32"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    /** {@code stowage args...} as the launcher runs it; the output starts with the command line. */
    static Clients.Result stowageCommand(Map<String, String> env, List<String> args) throws Exception {
        return StowageProcess.run(env, 120, args);
    }

    /** {@code stowage admin --url ... --output json args...}: the API's answers as JSON, for {@link #json}. */
    static Clients.Result cli(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("admin", "--url", stowage.baseUrl(), "--output", "json"));
        all.addAll(List.of(args));
        return stowageCommand(env, all);
    }

    /** {@code stowage admin --url ... args...} with the default (table) output. */
    static Clients.Result table(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("admin", "--url", stowage.baseUrl()));
        all.addAll(List.of(args));
        return stowageCommand(env, all);
    }

    /** The output without the command line. */
    static String output(Clients.Result r) {
        return r.afterCommandLine();
    }

    static JsonNode json(Clients.Result r) throws Exception {
        return r.json();
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
    void aDisabledUserCannotSignInUntilEnabled() throws Exception {
        cli(Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "hank-long-password"), "users", "create", "hank").ok();
        Map<String, String> hank = Map.of("STOWAGE_PASSWORD", "hank-long-password");
        cli(hank, "--user", "hank", "sessions", "list", "hank").ok();
        cli(ADMIN, "users", "disable", "hank").ok();
        assertThat(cli(hank, "--user", "hank", "sessions", "list", "hank").exitCode()).isEqualTo(1);
        cli(ADMIN, "users", "enable", "hank").ok();
        cli(hank, "--user", "hank", "sessions", "list", "hank").ok();
    }

    @Test
    void aProjectTurnsPrivateAndPublic() throws Exception {
        cli(ADMIN, "projects", "create", "flip", "--public").ok();
        cli(ADMIN, "projects", "private", "flip").ok();
        assertThat(project("flip").path("public").asBoolean()).isFalse();
        cli(ADMIN, "projects", "public", "flip").ok();
        assertThat(project("flip").path("public").asBoolean()).isTrue();
    }

    static JsonNode project(String name) throws Exception {
        for (JsonNode p : json(cli(ADMIN, "projects", "list").ok())) {
            if (p.path("name").asText().equals(name)) return p;
        }
        throw new AssertionError("no project " + name);
    }

    @Test
    void aMemberIsRemoved() throws Exception {
        cli(Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "ivan-long-password"), "users", "create", "ivan").ok();
        cli(ADMIN, "projects", "create", "ivans").ok();
        cli(ADMIN, "members", "set", "ivans", "ivan", "developer").ok();
        cli(ADMIN, "members", "remove", "ivans", "ivan").ok();
        assertThat(json(cli(ADMIN, "members", "list", "ivans").ok()).findValuesAsText("username")).doesNotContain("ivan");
    }

    @Test
    void aRobotIsRotatedDisabledAndDeleted() throws Exception {
        String first = json(cli(ADMIN, "robots", "create", "rotor", "--allow", "x/**=pull").ok()).path("secret").asText();
        String second = json(cli(ADMIN, "robots", "rotate", "rotor").ok()).path("secret").asText();
        assertThat(second).isNotEmpty().isNotEqualTo(first);
        cli(ADMIN, "robots", "disable", "robot$rotor").ok(); // the full name works too
        assertThat(json(cli(ADMIN, "robots", "list").ok()).toString()).contains("robot$rotor");
        cli(ADMIN, "robots", "delete", "rotor").ok();
        assertThat(json(cli(ADMIN, "robots", "list").ok()).findValuesAsText("name")).doesNotContain("robot$rotor");
    }

    @Test
    void anAccessTokenIsCreatedListedAndRevoked() throws Exception {
        JsonNode token = json(cli(ADMIN, "tokens", "create", "admin", "laptop", "--expires", "30d").ok());
        String id = token.path("id").asText();
        assertThat(json(cli(ADMIN, "tokens", "list", "admin").ok()).findValuesAsText("id")).contains(id);
        cli(ADMIN, "tokens", "revoke", "admin", id).ok();
        assertThat(json(cli(ADMIN, "tokens", "list", "admin").ok()).findValuesAsText("id")).doesNotContain(id);
    }

    @Test
    void revokingAnUnknownSessionIsTheRegistrysOneLineError() throws Exception {
        Clients.Result r = cli(ADMIN, "sessions", "revoke", "admin", "no-such-session");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(output(r)).startsWith("stowage admin: 404 ").doesNotContain("{").hasLineCount(1);
    }

    @Test
    void theAuditTrailShowsWhatTheCommandLineDid() throws Exception {
        cli(ADMIN, "projects", "create", "audited").ok();
        cli(ADMIN, "projects", "private", "audited").ok();
        JsonNode records = json(cli(ADMIN, "audit", "--actor", "admin", "--action", "admin", "--limit", "1000").ok()).path("records");
        assertThat(records.findValuesAsText("detail")).contains("PATCH /api/v1/projects/audited");
    }

    @Test
    void governanceFromTheCommandLine() throws Exception {
        Map<String, String> env = ADMIN;
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
        assertThat(output(internal)).startsWith("stowage admin: 400 ").contains("127.0.0.1 is a loopback address");
        JsonNode hook = json(cli(env, "webhooks", "create", "gov", "http://198.51.100.7:9/hook", "--events", "push,gc_completed").ok());
        assertThat(hook.path("secret").asText()).isNotEmpty();
        String hookId = hook.path("webhook").path("id").asText();
        assertThat(json(cli(env, "webhooks", "list", "gov").ok()).size()).isEqualTo(1);
        assertThat(json(cli(env, "webhooks", "deliveries", "gov", hookId).ok()).isArray()).isTrue();
        cli(env, "webhooks", "delete", "gov", hookId).ok();
        Clients.Result bad = cli(env, "retention", "set", "gov", "ecr", "{\"rules\":[{}]}");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(output(bad)).startsWith("stowage admin: 400 ").contains("rules[0]").hasLineCount(1);
    }

    @Test
    void anImmutabilityRuleIsReadFromAFileAndRemoved() throws Exception {
        cli(ADMIN, "projects", "create", "frozen").ok();
        Path rule = Files.writeString(dir.resolve("rule.json"), "{\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\","
                + "\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]},\"tag_selectors\":[{\"kind\":\"doublestar\","
                + "\"decoration\":\"matches\",\"pattern\":\"release-*\"}]}");
        JsonNode added = json(cli(ADMIN, "immutable", "add", "frozen", "@" + rule).ok());
        assertThat(added.path("description").asText()).contains("release-*");
        cli(ADMIN, "immutable", "remove", "frozen", added.path("id").asText()).ok();
        assertThat(json(cli(ADMIN, "immutable", "list", "frozen").ok()).size()).isZero();
    }

    @Test
    void aRepositorysTagMutabilityIsSetFromAFileAndShown() throws Exception {
        cli(ADMIN, "projects", "create", "ecrish").ok();
        Path setting = Files.writeString(dir.resolve("mutability.json"), "{\"imageTagMutability\":\"IMMUTABLE\"}");
        cli(ADMIN, "immutable", "mutability", "ecrish/app", "@" + setting).ok();
        assertThat(json(cli(ADMIN, "immutable", "mutability", "ecrish/app").ok()).path("imageTagMutability").asText())
                .isEqualTo("IMMUTABLE");
    }

    @Test
    void aRetentionPolicyIsReadFromAFileShownAndRemoved() throws Exception {
        cli(ADMIN, "projects", "create", "kept").ok();
        Path policy = Files.writeString(dir.resolve("policy.json"), "{\"rules\":[]}");
        cli(ADMIN, "retention", "set", "kept", "harbor", "@" + policy).ok();
        JsonNode shown = json(cli(ADMIN, "retention", "show", "kept").ok());
        assertThat(shown.path("format").asText()).isEqualTo("harbor");
        cli(ADMIN, "retention", "remove", "kept").ok();
        assertThat(cli(ADMIN, "retention", "show", "kept").exitCode()).isEqualTo(1);
    }

    @Test
    void aMissingJsonFileIsOneLineAndExitCodeTwo() throws Exception {
        Clients.Result r = cli(ADMIN, "immutable", "add", "gov", "@" + dir.resolve("nope.json"));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(output(r)).isEqualTo("stowage admin immutable: cannot read " + dir.resolve("nope.json") + ": no such file\n");
    }

    @Test
    void quotaSizesTakeUnits() throws Exception {
        cli(ADMIN, "projects", "create", "sized").ok();
        cli(ADMIN, "quota", "set", "sized", "--storage", "10GiB").ok();
        assertThat(json(cli(ADMIN, "quota", "show", "sized").ok()).path("storageBytes").asLong()).isEqualTo(10L << 30);
    }

    @Test
    void aWebhookIsPingedAndItsDeliveryRedelivered() throws Exception {
        // The receiver listens on 127.0.0.2, the one loopback address the registry is told to deliver to.
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            cli(ADMIN, "projects", "create", "hooked").ok();
            String hookId = json(cli(ADMIN, "webhooks", "create", "hooked", "http://127.0.0.2:" + receiver.getAddress().getPort()
                    + "/hook", "--events", "push").ok()).path("webhook").path("id").asText();
            String delivery = json(cli(ADMIN, "webhooks", "ping", "hooked", hookId).ok()).path("id").asText();
            String status = "";
            for (int i = 0; i < 20 && !status.equals("DELIVERED"); i++) {
                for (JsonNode d : json(cli(ADMIN, "webhooks", "deliveries", "hooked", hookId).ok())) {
                    if (d.path("id").asText().equals(delivery)) status = d.path("status").asText();
                }
            }
            assertThat(status).isEqualTo("DELIVERED");
            String again = json(cli(ADMIN, "webhooks", "redeliver", "hooked", hookId, delivery).ok()).path("id").asText();
            assertThat(again).isNotEmpty().isNotEqualTo(delivery);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void listsPrintAsATableByDefault() throws Exception {
        String out = output(table(ADMIN, "users", "list").ok());
        assertThat(out.lines().findFirst().orElseThrow()).contains("USERNAME");
        assertThat(out).containsPattern("(?m)^.*\\badmin\\b.*$").doesNotContain("{");
    }

    @Test
    void wrongPasswordIsTheRegistrysErrorOnOneLine() throws Exception {
        Clients.Result r = cli(Map.of("STOWAGE_PASSWORD", "wrong"), "users", "list");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(output(r)).startsWith("stowage admin: 401 UNAUTHORIZED: ").hasLineCount(1);
    }

    @Test
    void aStoppedServerIsOneLineAndExitCodeThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Clients.Result r = stowageCommand(ADMIN, List.of("admin", "--url", "http://127.0.0.1:" + port, "users", "list"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(output(r)).isEqualTo("stowage admin: cannot connect to http://127.0.0.1:" + port
                + " (connection refused) — is the server running? set --url or STOWAGE_URL\n");
    }

    @Test
    void theUrlAndUserComeFromTheEnvironment() throws Exception {
        Clients.Result r = stowageCommand(Map.of("STOWAGE_URL", stowage.baseUrl(), "STOWAGE_USER", "admin",
                "STOWAGE_PASSWORD", PASSWORD), List.of("admin", "-o", "json", "projects", "list"));
        assertThat(json(r.ok()).isArray()).isTrue();
    }

    @Test
    void usersAndGcPrintTheirHelp() throws Exception {
        for (String command : List.of("users", "gc")) {
            Clients.Result r = stowageCommand(Map.of(), List.of("admin", command, "--help"));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(output(r)).startsWith("Usage: stowage admin " + command).contains("STOWAGE_PASSWORD", "Exit codes:");
        }
    }

    @Test
    void theVersionIsTheProjectVersion() throws Exception {
        String version = System.getProperty("stowage.version");
        assertThat(version).isNotBlank();
        assertThat(output(stowageCommand(Map.of(), List.of("--version")).ok())).isEqualTo("stowage " + version + "\n");
    }

    @Test
    void anOperatorDeletesAUserButNeverThemselves() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "quinn-long-password");
        cli(env, "users", "create", "quinn").ok();
        cli(env, "users", "delete", "quinn").ok();
        assertThat(json(cli(env, "users", "list").ok()).findValuesAsText("username")).doesNotContain("quinn");
        assertThat(cli(Map.of("STOWAGE_PASSWORD", "quinn-long-password"), "--user", "quinn", "me").exitCode()).isEqualTo(1);

        Clients.Result self = cli(env, "users", "delete", "admin");
        assertThat(self.exitCode()).isEqualTo(1);
        assertThat(self.output()).contains("409 CONFLICT").contains("you cannot delete your own account");
    }

    @Test
    void aUserSeesTheirAccountAndChangesTheirPassword() throws Exception {
        Map<String, String> admin = Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "ivy-long-password");
        cli(admin, "users", "create", "ivy").ok();
        cli(admin, "projects", "create", "ivys").ok();
        cli(admin, "members", "set", "ivys", "ivy", "developer").ok();
        Map<String, String> ivy = Map.of("STOWAGE_PASSWORD", "ivy-long-password");

        JsonNode me = json(cli(ivy, "--user", "ivy", "me").ok());
        assertThat(me.path("username").asText()).isEqualTo("ivy");
        assertThat(me.path("projects").path(0).path("project").asText()).isEqualTo("ivys");
        assertThat(me.path("projects").path(0).path("role").asText()).isEqualTo("developer");
        assertThat(json(cli(ivy, "--user", "ivy", "me", "tokens").ok()).isArray()).isTrue();

        cli(Map.of("STOWAGE_PASSWORD", "ivy-long-password", "STOWAGE_NEW_PASSWORD", "ivy-newer-password"),
                "--user", "ivy", "me", "password").ok();
        assertThat(cli(ivy, "--user", "ivy", "me").exitCode()).isEqualTo(1);
        cli(Map.of("STOWAGE_PASSWORD", "ivy-newer-password"), "--user", "ivy", "me").ok();
    }

    @Test
    void anOperatorRotatesAWebhookSecretAndARobotsExpiry() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD);
        cli(env, "projects", "create", "hooks").ok();
        JsonNode hook = json(cli(env, "webhooks", "create", "hooks", "http://198.51.100.7:9/hook", "--events", "push").ok());
        String id = hook.path("webhook").path("id").asText();
        JsonNode rotated = json(cli(env, "webhooks", "rotate-secret", "hooks", id).ok());
        assertThat(rotated.path("secret").asText()).isNotEmpty().isNotEqualTo(hook.path("secret").asText());

        cli(env, "robots", "create", "renewed", "--allow", "hooks/**=pull", "--expires", "1d").ok();
        JsonNode renewed = json(cli(env, "robots", "rotate", "robot$renewed", "--expires", "30d").ok());
        assertThat(java.time.Instant.parse(renewed.path("expiresAt").asText()))
                .isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(29)));
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
        assertThat(refused.output()).contains("409 CONFLICT").contains("project life still has repositories");
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
