package dev.stowage.core.access;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a member may do in a project, as Harbor users know it: guests pull, developers push, maintainers also
 * delete, admins also manage the project. System administrators may do everything everywhere.
 */
public enum Role {
    GUEST(EnumSet.of(Action.PULL)),
    DEVELOPER(EnumSet.of(Action.PULL, Action.PUSH)),
    MAINTAINER(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE)),
    ADMIN(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE));

    private final Set<Action> repositoryActions;

    Role(Set<Action> repositoryActions) {
        this.repositoryActions = repositoryActions;
    }

    /** Whether this role allows {@code action} on repositories of its project. */
    public boolean allows(Action action) {
        return repositoryActions.contains(action);
    }

    /** Whether this role may change the project itself: members, robots, settings. */
    public boolean managesProject() {
        return this == ADMIN;
    }
}
