package dev.stowage.server;

import dev.stowage.core.access.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Registry actions (pull, push, delete) are granted by registry tokens, never by the admin API's credentials: an admin
 * route guarded by one could never be passed (and once answered 500), so such a route cannot be declared.
 */
class RepositoryAccessRoutesTest {
    @ParameterizedTest
    @EnumSource(value = Action.class, names = {"PING", "PULL", "PUSH", "DELETE", "CATALOG"})
    void anAdminRouteCannotBeGuardedByARegistryAction(Action action) {
        assertThatThrownBy(() -> Access.repository(action, "repository"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry action");
        assertThatThrownBy(() -> Access.project(action, "project"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry action");
    }
}
