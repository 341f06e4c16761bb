package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.core.service.ProjectLifecycle;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.identity.AccountService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Projects, their members, and what they hold: repositories and artifacts listed, repositories deleted. */
public final class ProjectRoutes implements AdminRouteSet {
    private final AccountService accounts;
    private final ProjectLifecycle lifecycle;

    public ProjectRoutes(AccountService accounts, ProjectLifecycle lifecycle) {
        this.accounts = accounts;
        this.lifecycle = lifecycle;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/projects", Access.system())
                .get(ApiDoc.op("getProjects", "List projects").tag("projects").response(200, "OK"),
                        call -> call.sendJson(200, accounts.projects().stream().map(ProjectRoutes::project).toList()))
                .post(ApiDoc.op("postProjects", "Create a project").tag("projects").body("NewProject")
                        .response(201, "Created"), call -> {
                            JsonNode body = call.json("name", "public");
                            Project created = accounts.createProject(JsonFields.string(body, "name"),
                                    JsonFields.bool(body, "public", false));
                            call.sendJson(201, Map.of("Location", "/api/v1/projects/" + created.name()), project(created));
                        });
        // Projects are created by system administrators, and only they delete one (with all it holds).
        routes.path("/api/v1/projects/{name}", Access.project(Action.MANAGE_PROJECT, "name"))
                .get(ApiDoc.op("getProject", "Get a project").tag("projects").response(200, "OK"),
                        call -> call.sendJson(200, project(accounts.project(call.variable("name")))))
                .patch(ApiDoc.op("patchProject", "Change visibility").tag("projects").body("ProjectChange")
                        .response(200, "OK"), this::changeProject)
                .delete(Access.project(Action.MANAGE_SYSTEM, "name"), ApiDoc.op("deleteProject", "Delete the project "
                        + "(system administrators) with its members, robots, webhooks, immutability rules, retention policy and "
                        + "quota; refused with 409 CONFLICT while it has repositories unless force=true, which deletes them "
                        + "first (immutable tags included; each artifact deleted is announced). Blobs are left to the garbage "
                        + "collector. Answers {project, repositoriesDeleted, artifactsDeleted}").tag("projects")
                        .query("force", "boolean", "also delete the project's repositories")
                        .response(200, "OK").response(404, "No such project")
                        .response(409, "The project still has repositories (and force is not set)"), this::deleteProject);
        routes.path("/api/v1/projects/{name}/members", Access.project(Action.MANAGE_PROJECT, "name"))
                .get(ApiDoc.op("getProjectMembers", "List members").tag("projects").response(200, "OK"),
                        call -> call.sendJson(200, accounts.members(call.variable("name")).stream()
                                .map(x -> member(x.username(), x.role())).toList()));
        routes.path("/api/v1/projects/{name}/members/{username}", Access.project(Action.MANAGE_PROJECT, "name"))
                .put(ApiDoc.op("putProjectMember", "Add a member or change the role").tag("projects").body("Membership")
                        .response(200, "OK"), call -> {
                            Role role = role(JsonFields.string(call.json("role"), "role"));
                            accounts.setMember(call.variable("name"), call.variable("username"), role);
                            call.sendJson(200, member(call.variable("username"), role));
                        })
                .delete(ApiDoc.op("deleteProjectMember", "Remove a member").tag("projects").response(204, "Removed"), call -> {
                    accounts.removeMember(call.variable("name"), call.variable("username"));
                    call.sendEmpty(204);
                });
        routes.path("/api/v1/projects/{name}/repositories", Access.project(Action.READ_PROJECT, "name"))
                .get(ApiDoc.op("getProjectRepositories", "The project's repositories (any member of the project): "
                        + "{repositories:[{name, artifacts, sizeBytes, lastPushedAt, lastPulledAt}], next}, in name order; "
                        + "sizeBytes counts each blob the repository's manifests reference once, plus the manifests; pull "
                        + "times are written in batches every few seconds. A Link header (rel=next) and next name the "
                        + "following page").tag("repositories").pageSize()
                        .query("last", "string", "the last item of the previous page (its `next`)")
                        .response(200, "OK").response(404, "No such project"), this::repositories);
        routes.path("/api/v1/repositories/{repository:.+}/artifacts", Access.repository(Action.READ_PROJECT, "repository"))
                .get(ApiDoc.op("getRepositoryArtifacts", "The repository's artifacts (any member of the project): "
                        + "{repository, artifacts:[{digest, mediaType, artifactType, tags, sizeBytes, pushedAt, lastPulledAt}], "
                        + "next}, in digest order; sizeBytes is the manifest plus the blobs it references (an index's "
                        + "children are artifacts of their own)").tag("repositories").pageSize()
                        .query("last", "string", "the last item of the previous page (its `next`)")
                        .response(200, "OK").response(404, "No such repository (NAME_UNKNOWN)"), this::artifacts);
        routes.path("/api/v1/repositories/{repository:.+}", Access.repository(Action.DELETE_REPOSITORY, "repository"))
                .delete(ApiDoc.op("deleteRepository", "Delete the repository (maintainers and project administrators) "
                        + "with its manifests, tags and blob links; refused with 403 DENIED while it holds a tag that "
                        + "immutability rules protect. Each artifact deleted is announced (artifact.deleted). Answers "
                        + "{repository, artifactsDeleted}").tag("repositories").response(200, "OK")
                        .response(404, "No such repository (NAME_UNKNOWN)"), call -> {
                            RepositoryName repository = call.repository("repository");
                            ProjectLifecycle.Removed removed = lifecycle.deleteRepository(repository, call.actor());
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("repository", repository.value());
                            out.put("artifactsDeleted", removed.artifacts());
                            call.sendJson(200, out);
                        });
    }

    private void changeProject(AdminCall call) {
        String name = call.variable("name");
        JsonNode body = call.json("public", "allowedNetworks");
        Optional<Boolean> isPublic = JsonFields.optionalBool(body, "public");
        Optional<String> networks = body.has("allowedNetworks") ? Optional.of(JsonFields.string(body, "allowedNetworks"))
                : Optional.empty();
        isPublic.ifPresent(p -> accounts.setPublic(name, p));
        networks.ifPresent(n -> accounts.setNetworks(name, n));
        call.sendJson(200, project(accounts.project(name)));
    }

    private void deleteProject(AdminCall call) {
        String name = call.variable("name");
        boolean force = call.flag("force");
        accounts.project(name);
        ProjectLifecycle.Removed removed = lifecycle.deleteProject(name, force, call.actor());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project", name);
        out.put("repositoriesDeleted", removed.repositories());
        out.put("artifactsDeleted", removed.artifacts());
        call.sendJson(200, out);
    }

    private void repositories(AdminCall call) {
        String project = call.variable("name");
        accounts.project(project);
        int n = call.pageSize();
        List<MetadataStore.RepositorySummary> page = lifecycle.repositories(project, call.query("last"), n + 1);
        call.sendPage("repositories", page.stream().limit(n).map(ProjectRoutes::repositorySummary).toList(),
                page.size() > n ? Optional.of(page.get(n - 1).name().value()) : Optional.empty(), Map.of());
    }

    private void artifacts(AdminCall call) {
        RepositoryName repository = call.repository("repository");
        int n = call.pageSize();
        List<MetadataStore.ArtifactSummary> page = lifecycle.artifacts(repository, call.query("last"), n + 1);
        call.sendPage("artifacts", page.stream().limit(n).map(ProjectRoutes::artifactSummary).toList(),
                page.size() > n ? Optional.of(page.get(n - 1).digest().toString()) : Optional.empty(),
                Map.of("repository", repository.value()));
    }

    private static Map<String, Object> repositorySummary(MetadataStore.RepositorySummary r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name().value());
        out.put("artifacts", r.artifacts());
        out.put("sizeBytes", r.sizeBytes());
        out.put("lastPushedAt", r.lastPushedAt() == null ? null : r.lastPushedAt().toString());
        out.put("lastPulledAt", r.lastPulledAt() == null ? null : r.lastPulledAt().toString());
        return out;
    }

    private static Map<String, Object> artifactSummary(MetadataStore.ArtifactSummary a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("digest", a.digest().toString());
        out.put("mediaType", a.mediaType());
        out.put("artifactType", a.artifactType());
        out.put("tags", a.tags());
        out.put("sizeBytes", a.sizeBytes());
        out.put("pushedAt", a.pushedAt().toString());
        out.put("lastPulledAt", a.lastPulledAt() == null ? null : a.lastPulledAt().toString());
        return out;
    }

    private static Map<String, Object> member(String username, Role role) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", username);
        out.put("role", role.name().toLowerCase());
        return out;
    }

    private static Map<String, Object> project(Project p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("public", p.isPublic());
        out.put("allowedNetworks", p.allowedNetworks());
        out.put("createdAt", p.createdAt().toString());
        return out;
    }

    private static Role role(String text) {
        try {
            return Role.valueOf(text.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "role must be one of guest, developer, maintainer, admin",
                    null, 400);
        }
    }
}
