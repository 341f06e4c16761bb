package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The route table: which route a path reaches, what it refuses to declare, and the document made from it. */
class AdminRoutesTest {
    static final AdminRoutes.Handler NOTHING = call -> { };

    static ApiDoc doc(String id) {
        return ApiDoc.op(id, "summary of " + id).tag("test").response(200, "OK");
    }

    static String resolved(AdminRoutes routes, String path) {
        return routes.find(path).flatMap(AdminRoutes.Match::resource).map(r -> r.template.documented() + " "
                + routes.find(path).get().variables()).orElse("none");
    }

    @Test
    void aMultiSegmentNameYieldsToTheRouteWithMoreLiteralSegmentsWhateverTheOrderOfDeclaration() {
        AdminRoutes routes = new AdminRoutes();
        routes.path("/api/v1/repositories/{repository:.+}", Access.system()).delete(doc("a"), NOTHING);
        routes.path("/api/v1/repositories/{repository:.+}/artifacts", Access.system()).get(doc("b"), NOTHING);
        assertThat(resolved(routes, "/api/v1/repositories/team/a/b/artifacts"))
                .isEqualTo("/api/v1/repositories/{repository}/artifacts {repository=team/a/b}");
        assertThat(resolved(routes, "/api/v1/repositories/team/a/b"))
                .isEqualTo("/api/v1/repositories/{repository} {repository=team/a/b}");
    }

    @Test
    void aPlainVariableIsOneSegmentAndAPatternedOneOnlyWhatItsPatternMatches() {
        AdminRoutes routes = new AdminRoutes();
        routes.path("/api/v1/projects/{name}/rules/{id:[0-9]{1,18}}", Access.system()).get(doc("a"), NOTHING);
        assertThat(resolved(routes, "/api/v1/projects/team/rules/42")).isEqualTo("/api/v1/projects/{name}/rules/{id} {name=team, id=42}");
        assertThat(resolved(routes, "/api/v1/projects/team/rules/abc")).isEqualTo("none");
        assertThat(resolved(routes, "/api/v1/projects/a/b/rules/42")).isEqualTo("none");
    }

    @Test
    void aGuardAnswersPathsBelowItsPrefixThatNoRouteMatches() {
        AdminRoutes routes = new AdminRoutes();
        routes.path("/api/v1/projects/{name}/hooks", Access.system()).get(doc("a"), NOTHING);
        routes.guard("/api/v1/projects/{name}/hooks", Access.system(), call -> { });
        assertThat(routes.find("/api/v1/projects/team/hooks/x/y").flatMap(AdminRoutes.Match::guard)).isPresent();
        assertThat(routes.find("/api/v1/projects/team/hooks").flatMap(AdminRoutes.Match::resource)).isPresent();
        assertThat(routes.find("/api/v1/projects/team/hooksmith")).isEmpty();
    }

    @Test
    void aRouteCannotBeDeclaredWithoutADescription() {
        AdminRoutes routes = new AdminRoutes();
        assertThatThrownBy(() -> routes.path("/api/v1/x", Access.system()).get(null, NOTHING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("description");
    }

    @Test
    void anOperationIdOrAPathIsDeclaredOnlyOnce() {
        AdminRoutes routes = new AdminRoutes();
        routes.path("/api/v1/x", Access.system()).get(doc("same"), NOTHING);
        assertThatThrownBy(() -> routes.path("/api/v1/y", Access.system()).get(doc("same"), NOTHING))
                .hasMessageContaining("operationId same");
        assertThatThrownBy(() -> routes.path("/api/v1/x", Access.system())).hasMessageContaining("declared twice");
    }

    @Test
    void anAccessCheckMustNameAVariableOfItsRoute() {
        AdminRoutes routes = new AdminRoutes();
        assertThatThrownBy(() -> routes.path("/api/v1/projects/{name}", Access.system())
                .get(Access.project(Action.MANAGE_PROJECT, "project"), doc("a"), NOTHING))
                .hasMessageContaining("no variable project");
    }

    @Test
    void theDocumentDescribesEveryOperationOfEveryRouteSetAndEverySchemaItNamesExists() throws Exception {
        AdminRoutes routes = new AdminRoutes();
        List<AdminRouteSet> sets = List.of(new AccountRoutes(null), new ProjectRoutes(null, null), new RobotRoutes(null),
                new CollectionRoutes(null), new AuditRoutes(null), new ImmutabilityRoutes(null, null),
                new RetentionRoutes(null, null), new QuotaRoutes(null, null), new WebhookRoutes(null, null));
        sets.forEach(set -> set.declare(routes));
        JsonNode document = new ObjectMapper().readTree(OpenApiDocument.of(routes));
        List<String> operations = new ArrayList<>();
        for (AdminRoutes.Resource resource : routes.resources()) {
            for (String method : resource.operations.keySet()) {
                JsonNode op = document.path("paths").path(resource.template.documented()).path(method.toLowerCase());
                operations.add(method + " " + resource.template.documented());
                assertThat(op.path("operationId").asText()).as(method + " " + resource.template).isNotEmpty();
                assertThat(op.path("summary").asText()).as(method + " " + resource.template).isNotEmpty();
                assertThat(op.path("responses").path("401").isObject()).isTrue();
                String ref = op.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText();
                if (!ref.isEmpty()) {
                    assertThat(document.at(ref.substring(1)).isObject()).as(ref).isTrue();
                }
            }
        }
        assertThat(operations).hasSize(69).contains("PATCH /api/v1/projects/{name}/quota", "DELETE /api/v1/repositories/{repository}");
        assertThat(document.path("paths").has("/token")).isTrue();
    }
}
