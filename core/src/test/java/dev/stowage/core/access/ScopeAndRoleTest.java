package dev.stowage.core.access;

import dev.stowage.core.RegistryException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScopeAndRoleTest {
    @Test
    void repositoryScopeParsesTypeNameAndActions() {
        Scope scope = Scope.parse("repository:team/app:pull,push");
        assertThat(scope.type()).isEqualTo("repository");
        assertThat(scope.name()).isEqualTo("team/app");
        assertThat(scope.actions()).containsExactlyInAnyOrder("pull", "push");
    }

    @Test
    void nameWithAPortKeepsItsColon() {
        assertThat(Scope.parse("repository:localhost:5000/app:pull").name()).isEqualTo("localhost:5000/app");
    }

    @Test
    void severalScopesInOneParameterAndRepeatedParametersAllCount() {
        List<Scope> scopes = Scope.parseAll(List.of("repository:a:pull repository:b:push", "registry:catalog:*"));
        assertThat(scopes).extracting(Scope::toString)
                .containsExactly("repository:a:pull", "repository:b:push", "registry:catalog:*");
    }

    @Test
    void malformedScopesAreRefused() {
        for (String bad : List.of("repository", "repository:a", ":a:pull", "repository:a:")) {
            assertThatThrownBy(() -> Scope.parse(bad)).as(bad).isInstanceOf(RegistryException.class);
        }
    }

    @Test
    void restrictingKeepsOnlyAllowedActions() {
        Scope asked = Scope.parse("repository:a:pull,push,delete");
        assertThat(asked.restrictTo(Set.of("pull")).actions()).containsExactly("pull");
        assertThat(asked.restrictTo(Set.of()).actions()).isEmpty();
    }

    @Test
    void rolesGrowFromGuestToAdmin() {
        assertThat(Role.GUEST.allows(Action.PULL)).isTrue();
        assertThat(Role.GUEST.allows(Action.PUSH)).isFalse();
        assertThat(Role.DEVELOPER.allows(Action.PUSH)).isTrue();
        assertThat(Role.DEVELOPER.allows(Action.DELETE)).isFalse();
        assertThat(Role.MAINTAINER.allows(Action.DELETE)).isTrue();
        assertThat(Role.MAINTAINER.managesProject()).isFalse();
        assertThat(Role.ADMIN.managesProject()).isTrue();
    }

    @Test
    void everyRouteActionHasATokenActionName() {
        assertThat(Scope.actionName(Action.PULL)).isEqualTo("pull");
        assertThat(Scope.actionName(Action.PUSH)).isEqualTo("push");
        assertThat(Scope.actionName(Action.DELETE)).isEqualTo("delete");
        assertThat(Scope.actionName(Action.CATALOG)).isEqualTo("*");
        assertThat(Scope.actionName(Action.PING)).isNull();
    }
}
