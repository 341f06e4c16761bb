package dev.stowage.core.access;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The one rule that says what a principal may do to the repositories of a project. Everything that authorizes
 * (the registry routes, the token endpoint's scope intersection, the admin API) asks here.
 */
public final class Permissions {
    private Permissions() {}

    /**
     * @param projectIsPublic whether the repository's project allows anonymous pulls (empty: no such project)
     * @param role            the principal's role in that project, if a member
     */
    public static Set<Action> onRepository(Principal principal, Optional<Boolean> projectIsPublic, Optional<Role> role) {
        Set<Action> allowed = EnumSet.noneOf(Action.class);
        if (principal instanceof Principal.Robot) {
            throw new IllegalArgumentException("robots are decided by onRepositoryFor(robot, repository)");
        }
        if (principal instanceof Principal.User user && user.systemAdmin()) {
            allowed.addAll(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE));
            return allowed;
        }
        if (projectIsPublic.orElse(false)) allowed.add(Action.PULL);
        if (principal instanceof Principal.User) {
            role.ifPresent(r -> {
                for (Action a : EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE)) if (r.allows(a)) allowed.add(a);
            });
        }
        return allowed;
    }

    /** A robot may do what its permissions matching the repository say, plus anonymous pulls of public projects. */
    public static Set<Action> forRobot(Principal.Robot robot, String repository, Optional<Boolean> projectIsPublic) {
        Set<Action> allowed = EnumSet.noneOf(Action.class);
        if (projectIsPublic.orElse(false)) allowed.add(Action.PULL);
        for (RobotPermission p : robot.permissions()) if (p.matches(repository)) allowed.addAll(p.actions());
        allowed.retainAll(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE));
        return allowed;
    }

    /** Project administrators manage their project; system administrators manage everything. */
    public static boolean mayManageProject(Principal principal, Optional<Role> role) {
        if (principal instanceof Principal.User user && user.systemAdmin()) return true;
        return principal instanceof Principal.User && role.map(Role::managesProject).orElse(false);
    }

    /** A project's repositories and artifacts are listed to its members (any role) and system administrators. */
    public static boolean mayReadProject(Principal principal, Optional<Role> role) {
        if (principal instanceof Principal.User user && user.systemAdmin()) return true;
        return principal instanceof Principal.User && role.isPresent();
    }

    /** A scan is asked for by those whose role pushes to the project (as Harbor: developers and up). */
    public static boolean mayScan(Principal principal, Optional<Role> role) {
        if (principal instanceof Principal.User user && user.systemAdmin()) return true;
        return principal instanceof Principal.User && role.map(r -> r.allows(Action.PUSH)).orElse(false);
    }

    /** A whole repository is deleted by those whose role deletes in the project (as Harbor: maintainers and up). */
    public static boolean mayDeleteRepository(Principal principal, Optional<Role> role) {
        if (principal instanceof Principal.User user && user.systemAdmin()) return true;
        return principal instanceof Principal.User && role.map(r -> r.allows(Action.DELETE)).orElse(false);
    }

    /**
     * An admission review may be asked for by any signed-in user or robot; an image in it is checked only for those who
     * may pull its repository (to anyone else it is as absent as it is to their pulls).
     *
     * @param repository      the image's repository, or empty for the review as a whole
     * @param projectIsPublic whether its project allows anonymous pulls (empty: no such project)
     * @param role            a user's role in that project, if a member
     */
    public static boolean mayAdmit(Principal principal, Optional<String> repository, Optional<Boolean> projectIsPublic,
                                   Optional<Role> role) {
        if (principal instanceof Principal.Anonymous) return false;
        if (repository.isEmpty()) return true;
        if (principal instanceof Principal.Robot robot) {
            return forRobot(robot, repository.get(), projectIsPublic).contains(Action.PULL);
        }
        return onRepository(principal, projectIsPublic, role).contains(Action.PULL);
    }

    /** An account's own credentials: the account itself, or a system administrator. */
    public static boolean mayManageAccount(Principal principal, String account) {
        if (principal instanceof Principal.User user) return user.systemAdmin() || user.username().equals(account);
        return false;
    }

    /** Their own account page and password: every signed-in user (robots have neither). */
    public static boolean mayManageOwnAccount(Principal principal) {
        return principal instanceof Principal.User;
    }

    /** Accounts and new projects: system administrators only. */
    public static boolean mayManageSystem(Principal principal) {
        return principal instanceof Principal.User user && user.systemAdmin();
    }

    /** The catalog lists every repository, so only system administrators may read it. */
    public static boolean mayListCatalog(Principal principal) {
        return principal instanceof Principal.User user && user.systemAdmin();
    }
}
