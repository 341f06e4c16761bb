package dev.stowage.app;

import dev.stowage.core.governance.ProjectPolicy;
import dev.stowage.core.service.ProjectLifecycle;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.server.ProjectRoutes;

import java.util.Optional;

/**
 * Projects, their members and content (repositories and artifacts listed, repositories and projects deleted), and
 * the rule that no repository lives outside a project. Verbs {@code projects}, {@code members}, {@code repos},
 * {@code artifacts} in {@link AdminCommand}.
 */
final class ProjectsCapability implements Capability {
    @Override
    public String name() {
        return "projects";
    }

    @Override
    public void prepare(Node node, Contributions out) {
        // No repository outside a project: refused with access control on (projects are created by administrators
        // or auth.createProjectsOnPush), created by the first push with it off (no one else could create them).
        out.policy(new ProjectPolicy(new JdbcIdentityStore(node.metadata()), node.config().auth().enabled()
                ? ProjectPolicy.Mode.REQUIRE_EXISTING : ProjectPolicy.Mode.CREATE_IMPLICITLY, node.clock()));
    }

    @Override
    public void start(Node node, Contributions out) {
        out.adminRoutes(new ProjectRoutes(node.accounts(),
                new ProjectLifecycle(node.service(), Optional.of(node.governance()), node.events())));
    }
}
