package dev.stowage.server;

import dev.stowage.core.access.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static dev.stowage.server.AuthenticatedRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admin API bodies as an outside review sent them: misspelled and unknown fields (a typo of {@code dryRun} must not
 * turn a dry run into a real one), fields a route does not change, duplicate keys, and malformed JSON whose error
 * must not quote the JSON library.
 */
class AdminApiBodyTest {
    static final String SCOPE = "\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\","
            + "\"pattern\":\"**\"}]}";
    static final String TAGS = "\"tag_selectors\":[{\"kind\":\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"v*\"}]";
    static final String HARBOR_POLICY = "{\"algorithm\":\"or\",\"rules\":[{\"template\":\"always\"," + TAGS + "," + SCOPE + "}]}";

    @TempDir Path root;
    AuthenticatedRegistry registry;
    final String admin = basic("admin", "adminpw");

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").user("guest")
                .project("team", false).member("team", "guest", Role.GUEST).governance().start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return registry.call(method, path, admin, body);
    }

    @Test
    void aGcWithAMisspelledDryRunIs400AndRunsNothing() throws Exception {
        for (String typo : new String[] {"{\"dryrun\":true}", "{\"dry_run\":true}"}) {
            HttpResponse<String> r = call("POST", "/api/v1/gc", typo);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
            String field = JSON.readTree(typo).fieldNames().next();
            assertThat(message(r)).isEqualTo("unknown field '" + field + "' (accepted: dryRun, untagged, grace)");
        }
    }

    @Test
    void aRetentionRunWithACapitalisedDryRunIs400AndRunsNothing() throws Exception {
        HttpResponse<String> policy = call("PUT", "/api/v1/projects/team/retention",
                "{\"format\":\"harbor\",\"policy\":" + HARBOR_POLICY + "}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
        HttpResponse<String> r = call("POST", "/api/v1/projects/team/retention/run", "{\"DryRun\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown field 'DryRun' (accepted: dryRun)");
    }

    @Test
    void aRobotPatchOfPermissionsIs400SayingWhatIsPatchable() throws Exception {
        HttpResponse<String> created = call("POST", "/api/v1/projects/team/robots",
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> r = call("PATCH", "/api/v1/projects/team/robots/ci",
                "{\"permissions\":[{\"repository\":\"team/one\",\"actions\":[\"pull\"]}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown field 'permissions' (accepted: disabled)");
        assertThat(registry.identities.findRobot("robot$team+ci").orElseThrow().permissions()).hasSize(1)
                .allSatisfy(p -> assertThat(p.repositoryPattern()).isEqualTo("team/**"));
    }

    @Test
    void aProjectCannotBeRenamedByPatchAndSaysSo() throws Exception {
        HttpResponse<String> r = call("PATCH", "/api/v1/projects/team", "{\"name\":\"gamma\",\"public\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown field 'name' (accepted: public, allowedNetworks)");
        assertThat(registry.identities.findProject("team").orElseThrow().isPublic()).isFalse();
    }

    @Test
    void aMisspelledSystemAdminCreatesNoAccount() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/users",
                "{\"username\":\"x1\",\"password\":\"long-enough-pw\",\"systemadmin\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown field 'systemadmin' (accepted: username, password, systemAdmin)");
        assertThat(registry.identities.findAccount("x1")).isEmpty();
    }

    @Test
    void severalUnknownFieldsAreAllNamed() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/gc", "{\"dryRun\":true,\"force\":true,\"all\":1}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown fields 'force', 'all' (accepted: dryRun, untagged, grace)");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "POST | /api/v1/users | {\"username\":\"carol\",\"password\":\"long-enough-pw\",\"bogus\":1}",
            "PATCH | /api/v1/users/dev | {\"disabled\":true,\"bogus\":1}",
            "POST | /api/v1/users/dev/tokens | {\"name\":\"x\",\"bogus\":1}",
            "POST | /api/v1/users/dev/totp/confirm | {\"code\":\"123456\",\"bogus\":1}",
            "POST | /api/v1/projects | {\"name\":\"p\",\"bogus\":1}",
            "PATCH | /api/v1/projects/team | {\"public\":true,\"bogus\":1}",
            "PUT | /api/v1/projects/team/members/dev | {\"role\":\"admin\",\"bogus\":1}",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}],\"bogus\":1}",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"],\"bogus\":1}]}",
            "POST | /api/v1/projects/team/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}],\"bogus\":1}",
            "POST | /api/v1/gc | {\"dryRun\":true,\"bogus\":1}",
            "POST | /api/v1/projects/team/retention/run | {\"dryRun\":true,\"bogus\":1}",
            "PUT | /api/v1/projects/team/retention | {\"format\":\"harbor\",\"bogus\":1,\"policy\":{\"algorithm\":\"or\",\"rules\":[]}}",
            "PUT | /api/v1/projects/team/retention | {\"format\":\"harbor\",\"policy\":{\"algorithm\":\"or\",\"rules\":[],\"bogus\":1}}",
            "POST | /api/v1/projects/team/immutable-rules | {\"bogus\":1," + "\"tag_selectors\":[]}",
            "PUT | /api/v1/repositories/team/app/tag-mutability | {\"imageTagMutability\":\"IMMUTABLE\",\"bogus\":1}",
    })
    void everyRouteThatReadsABodyRefusesAnUnknownFieldByName(String method, String path, String body) throws Exception {
        HttpResponse<String> r = call(method.trim(), path.trim(), body.trim());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
        assertThat(message(r)).contains("bogus");
        assertThat(registry.identities.findAccount("carol")).isEmpty();
        assertThat(registry.identities.findAccount("dev").orElseThrow().disabled()).isFalse();
        assertThat(registry.identities.findProject("p")).isEmpty();
        assertThat(registry.identities.findProject("team").orElseThrow().isPublic()).isFalse();
        assertThat(registry.identities.listRobots()).isEmpty();
        assertThat(registry.identities.accessTokens("dev")).isEmpty();
    }

    @Test
    void aHarborImmutableRuleWithAllItsFieldsIsStillAccepted() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/projects/team/immutable-rules", "{\"id\":0,\"priority\":0,"
                + "\"disabled\":false,\"action\":\"immutable\",\"template\":\"immutable_template\"," + SCOPE + "," + TAGS + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aDuplicateKeyIs400NamingItAndChangesNothing() throws Exception {
        HttpResponse<String> r = call("PUT", "/api/v1/projects/team/members/guest", "{\"role\":\"admin\",\"role\":\"guest\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("the body is not valid JSON: duplicate field 'role'");
        assertThat(registry.identities.members("team")).allSatisfy(m -> assertThat(m.role()).isEqualTo(Role.GUEST));
    }

    @Test
    void aDuplicateKeyInsideARuleDocumentIs400Too() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/projects/team/immutable-rules",
                "{\"disabled\":true,\"disabled\":false," + SCOPE + "," + TAGS + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("the body is not valid JSON: duplicate field 'disabled'");
    }

    @Test
    void malformedJsonIsDescribedByPositionWithoutLibraryNames() throws Exception {
        HttpResponse<String> r = call("PUT", "/api/v1/projects/team/members/guest", "{\"role\":}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("the body is not valid JSON: unexpected character at line 1 column 9");
    }

    @Test
    void deeplyNestedJsonIsDescribedWithoutLibraryNames() throws Exception {
        String deep = "{\"role\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        HttpResponse<String> r = call("PUT", "/api/v1/projects/team/members/guest", deep);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).startsWith("the body is not valid JSON: nested too deeply (limit ");
        assertThat(r.body()).doesNotContain("StreamReadConstraints").doesNotContain("com.fasterxml").doesNotContain("()");
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefusedPlainly() throws Exception {
        HttpResponse<String> r = call("PUT", "/api/v1/projects/team/members/guest", "[\"admin\"]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("the body must be a JSON object");
    }
}
