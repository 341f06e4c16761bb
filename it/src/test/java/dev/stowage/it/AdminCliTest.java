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

    @Test
    void anOperatorDeletesAUserButNeverThemselves() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD, "STOWAGE_NEW_PASSWORD", "hank-long-password");
        cli(env, "users", "create", "hank").ok();
        cli(env, "users", "delete", "hank").ok();
        assertThat(json(cli(env, "users", "list").ok()).findValuesAsText("username")).doesNotContain("hank");
        assertThat(cli(Map.of("STOWAGE_PASSWORD", "hank-long-password"), "--user", "hank", "me").exitCode()).isEqualTo(1);

        Clients.Result self = cli(env, "users", "delete", "admin");
        assertThat(self.exitCode()).isEqualTo(1);
        assertThat(self.output()).contains("HTTP 409").contains("you cannot delete your own account");
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
}
