package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.identity.AccountService;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Robot accounts: system-wide ones (system administrators) and a project's own (its administrators). */
public final class RobotRoutes implements AdminRouteSet {
    private final AccountService accounts;

    public RobotRoutes(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    public void declare(AdminRoutes routes) {
        // Creating a robot or rotating its secret mints a credential: a fresh proof.
        routes.path("/api/v1/robots", Access.system())
                .get(ApiDoc.op("getRobots", "List robot accounts").tag("robots").response(200, "OK"),
                        call -> listRobots(call, Optional.empty()))
                .post(Access.system().freshProof(), ApiDoc.op("postRobots", "Create a robot account; the secret is shown "
                        + "only in this answer").tag("robots").body("NewRobot").response(201, "Created"),
                        call -> createRobot(call, Optional.empty()));
        routes.path("/api/v1/robots/{name}", Access.system())
                .describe("name", "robot$<name>")
                .get(ApiDoc.op("getRobot", "Get a robot").tag("robots").response(200, "OK"),
                        call -> call.sendJson(200, robot(accounts.robot(call.variable("name")))))
                .patch(ApiDoc.op("patchRobot", "Disable or enable").tag("robots").body("RobotChange").response(200, "OK"),
                        call -> changeRobot(call, call.variable("name")))
                .delete(ApiDoc.op("deleteRobot", "Delete").tag("robots").response(204, "Deleted"),
                        call -> deleteRobot(call, call.variable("name")));
        routes.path("/api/v1/robots/{name}/rotate", Access.system().freshProof())
                .post(ApiDoc.op("postRobotRotate", ROTATE).tag("robots").optionalBody("RobotRotation").response(200, "OK"),
                        call -> rotateRobot(call, call.variable("name")));
        routes.path("/api/v1/projects/{name}/robots", Access.project(Action.MANAGE_PROJECT, "name"))
                .get(ApiDoc.op("getProjectRobots", "The project's robots (project administrators)").tag("robots")
                        .response(200, "OK"), call -> listRobots(call, Optional.of(call.variable("name"))))
                .post(Access.project(Action.MANAGE_PROJECT, "name").freshProof(), ApiDoc.op("postProjectRobots",
                        "New project robot robot$<project>+<name>; its permissions may only name the project's repositories; "
                                + "the secret is shown once").tag("robots").body("NewRobot").response(201, "Created"),
                        call -> createRobot(call, Optional.of(call.variable("name"))));
        // A project's robot is looked up (404 when the project has none of that name) before its method is.
        routes.path("/api/v1/projects/{name}/robots/{robot}", Access.project(Action.MANAGE_PROJECT, "name"))
                .before(call -> projectRobot(call))
                .get(ApiDoc.op("getProjectRobot", "One robot of the project").tag("robots").response(200, "OK")
                        .response(404, "No such robot"), call -> call.sendJson(200, robot(accounts.robot(projectRobot(call)))))
                .patch(ApiDoc.op("patchProjectRobot", "Disable or enable").tag("robots").body("RobotChange")
                        .response(200, "OK"), call -> changeRobot(call, projectRobot(call)))
                .delete(ApiDoc.op("deleteProjectRobot", "Delete the robot").tag("robots").response(204, "Deleted"),
                        call -> deleteRobot(call, projectRobot(call)));
        routes.path("/api/v1/projects/{name}/robots/{robot}/rotate", Access.project(Action.MANAGE_PROJECT, "name").freshProof())
                .before(call -> projectRobot(call))
                .post(ApiDoc.op("postProjectRobotRotate", ROTATE).tag("robots").optionalBody("RobotRotation")
                        .response(200, "OK"), call -> rotateRobot(call, projectRobot(call)));
    }

    private static final String ROTATE = "New secret; the old one stops working at once. With {\"expiresIn\":\"90d\"} also "
            + "a new expiry counted from now (how an expired robot is renewed)";

    /** The full name of the project robot the path names. */
    private String projectRobot(AdminCall call) {
        return accounts.projectRobot(call.variable("name"), call.variable("robot")).name();
    }

    /** The robots of a project (or, without one, every robot). */
    private void listRobots(AdminCall call, Optional<String> project) {
        call.sendJson(200, project.map(accounts::projectRobots).orElseGet(accounts::robots).stream()
                .map(RobotRoutes::robot).toList());
    }

    private void createRobot(AdminCall call, Optional<String> project) {
        JsonNode body = call.json("name", "expiresIn", "permissions");
        String name = JsonFields.string(body, "name");
        java.time.Duration lifetime = AccountRoutes.expiresIn(body);
        List<RobotPermission> permissions = permissions(body);
        AccountService.NewSecret created = project.isPresent()
                ? accounts.createProjectRobot(project.get(), name, permissions, lifetime)
                : accounts.createRobot(name, permissions, lifetime);
        Map<String, Object> out = robot(created.robot());
        out.put("secret", created.secret());
        String location = project.map(p -> "/api/v1/projects/" + p + "/robots/" + name)
                .orElse("/api/v1/robots/" + created.robot().name());
        call.sendJson(201, Map.of("Location", location, "Cache-Control", "no-store"), out);
    }

    /** A new secret; {@code {"expiresIn":"90d"}} also renews the expiry (an expired robot comes back this way). */
    private void rotateRobot(AdminCall call, String fullName) {
        java.time.Duration lifetime = AccountRoutes.expiresIn(call.jsonOrEmpty("expiresIn"));
        AccountService.NewSecret rotated = accounts.rotateRobot(fullName, Optional.ofNullable(lifetime));
        Map<String, Object> out = robot(rotated.robot());
        out.put("secret", rotated.secret());
        call.sendJson(200, Map.of("Cache-Control", "no-store"), out);
    }

    /** Only disabling is a change; permissions and expiry are fixed at creation (delete and re-create). */
    private void changeRobot(AdminCall call, String fullName) {
        JsonNode body = call.json("disabled");
        JsonFields.optionalBool(body, "disabled").ifPresent(d -> accounts.setRobotDisabled(fullName, d));
        call.sendJson(200, robot(accounts.robot(fullName)));
    }

    private void deleteRobot(AdminCall call, String fullName) {
        accounts.deleteRobot(fullName);
        call.sendEmpty(204);
    }

    private static Map<String, Object> robot(RobotAccount r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name());
        out.put("permissions", r.permissions().stream().map(p -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", p.repositoryPattern());
            entry.put("actions", p.actions().stream().map(a -> a.name().toLowerCase()).sorted().toList());
            return entry;
        }).toList());
        out.put("expiresAt", r.expiresAt() == null ? null : r.expiresAt().toString());
        out.put("disabled", r.disabled());
        out.put("createdAt", r.createdAt().toString());
        return out;
    }

    /** {@code permissions}: a non-empty array of {repository: pattern, actions: [pull|push|delete, ...]}. */
    private static List<RobotPermission> permissions(JsonNode body) {
        JsonNode list = JsonFields.array(body, "permissions", "{repository, actions}");
        if (list.isEmpty()) throw JsonFields.wrongType("permissions", "must not be empty");
        List<RobotPermission> out = new ArrayList<>();
        for (JsonNode p : list) {
            if (!p.isObject()) throw JsonFields.wrongType("permissions", "must be an array of {repository, actions} objects");
            JsonFields.requireOnly(p, "permissions", "repository", "actions");
            Set<Action> actions = EnumSet.noneOf(Action.class);
            for (String a : JsonFields.strings(p, "actions")) {
                switch (a) {
                    case "pull" -> actions.add(Action.PULL);
                    case "push" -> actions.add(Action.PUSH);
                    case "delete" -> actions.add(Action.DELETE);
                    default -> throw JsonFields.wrongType("actions", "are pull, push, delete");
                }
            }
            String pattern = JsonFields.string(p, "repository");
            if (pattern.isBlank() || pattern.contains("=") || pattern.contains(";") || actions.isEmpty()) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "each permission needs a repository pattern and actions",
                        null, 400);
            }
            out.add(new RobotPermission(pattern, actions));
        }
        return out;
    }
}
