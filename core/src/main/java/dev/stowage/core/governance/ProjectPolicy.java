package dev.stowage.core.governance;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.spi.IdentityStore;

import java.time.Clock;
import java.util.Map;

/**
 * No repository exists outside a project: quotas, retention, immutability, members and network rules are all the
 * project's, so a repository without one would escape every one of them. A repository's project is the first
 * component of its name (a top-level name such as {@code app} is the repository of the project {@code app}).
 *
 * <p>With access control on, the project must exist before the first write of a push (an upload started or
 * completed, a mount, a manifest put), whoever pushes: system administrators and robots included. Projects are
 * created by administrators, or by the token endpoint when {@code auth.createProjectsOnPush} is on (then the pushing
 * user becomes its admin before the push arrives here). With access control off there is no one to create projects,
 * so the first write creates it (private, without members: only administrators see it once access control is on).
 */
public final class ProjectPolicy implements RegistryPolicy {
    /** Whether a missing project refuses the write or is created by it. */
    public enum Mode { REQUIRE_EXISTING, CREATE_IMPLICITLY }

    private final IdentityStore projects;
    private final Mode mode;
    private final Clock clock;

    public ProjectPolicy(IdentityStore projects, Mode mode, Clock clock) {
        this.projects = projects;
        this.mode = mode;
        this.clock = clock;
    }

    @Override
    public void beforeRepositoryWrite(RepositoryName repository) {
        String project = repository.project();
        if (projects.findProject(project).isPresent()) return;
        if (mode == Mode.CREATE_IMPLICITLY) {
            projects.createProject(new Project(project, false, clock.instant())); // false: another write created it first
            return;
        }
        throw missing(repository);
    }

    /** 404 NAME_UNKNOWN, which Distribution clients show as is ("name unknown: ..."), naming the project and the fix. */
    static RegistryException missing(RepositoryName repository) {
        String project = repository.project();
        String where = repository.value().equals(project)
                ? "repository " + project + " is top-level, so it belongs to a project of the same name, and project "
                        + project + " does not exist"
                : "project " + project + " does not exist";
        return new RegistryException(ErrorCode.NAME_UNKNOWN, where + "; create it with `stowage admin projects create "
                + project + "` (with auth.createProjectsOnPush on, a user's first push creates it; robots never create projects)",
                Map.of("name", repository.value(), "project", project), 404);
    }
}
