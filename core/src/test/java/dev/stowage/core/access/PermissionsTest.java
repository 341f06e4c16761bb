package dev.stowage.core.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole matrix: principal x membership x public/private x action, each cell with its expected answer. */
class PermissionsTest {
    static Stream<Arguments> matrix() {
        List<Arguments> cells = new ArrayList<>();
        List<Object[]> principals = List.of(
                new Object[] {"anonymous", Principal.ANONYMOUS, null},
                new Object[] {"system admin", new Principal.User("root", true), null},
                new Object[] {"non-member", new Principal.User("eve", false), null},
                new Object[] {"guest", new Principal.User("g", false), Role.GUEST},
                new Object[] {"developer", new Principal.User("d", false), Role.DEVELOPER},
                new Object[] {"maintainer", new Principal.User("m", false), Role.MAINTAINER},
                new Object[] {"project admin", new Principal.User("a", false), Role.ADMIN});
        for (Object[] p : principals) {
            for (boolean isPublic : new boolean[] {true, false}) {
                for (Action action : EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE)) {
                    cells.add(Arguments.of(p[0], p[1], p[2], isPublic, action, expected((String) p[0], isPublic, action)));
                }
            }
        }
        return cells.stream();
    }

    /** The rule written out as a table, independently of the implementation. */
    static boolean expected(String who, boolean isPublic, Action action) {
        return switch (who) {
            case "system admin", "project admin", "maintainer" -> true;
            case "developer" -> action != Action.DELETE;
            case "guest" -> action == Action.PULL;
            default -> action == Action.PULL && isPublic; // anonymous and non-members
        };
    }

    @ParameterizedTest(name = "{0} on a {3} project, {4}: {5}")
    @MethodSource("matrix")
    void decides(String who, Principal principal, Role role, boolean isPublic, Action action, boolean allowed) {
        Set<Action> actions = Permissions.onRepository(principal, Optional.of(isPublic), Optional.ofNullable(role));
        assertThat(actions.contains(action)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0}: catalog")
    @MethodSource("principals")
    void onlySystemAdminsListTheCatalog(String who, Principal principal) {
        assertThat(Permissions.mayListCatalog(principal)).isEqualTo(who.equals("system admin"));
    }

    static Stream<Arguments> principals() {
        return Stream.of(Arguments.of("anonymous", Principal.ANONYMOUS), Arguments.of("system admin", new Principal.User("r", true)),
                Arguments.of("user", new Principal.User("u", false)));
    }

    @org.junit.jupiter.api.Test
    void anAdmissionReviewIsAskedBySignedInCallersAndEachImageOnlyOfThoseWhoMayPullIt() {
        Principal.Robot robot = new Principal.Robot("robot$cluster",
                List.of(new RobotPermission("team/**", EnumSet.of(Action.PULL))));
        Principal.User member = new Principal.User("dev", false);
        Optional<Boolean> privateProject = Optional.of(false);
        assertThat(Permissions.mayAdmit(Principal.ANONYMOUS, Optional.empty(), Optional.empty(), Optional.empty())).isFalse();
        assertThat(Permissions.mayAdmit(robot, Optional.empty(), Optional.empty(), Optional.empty())).isTrue();
        assertThat(Permissions.mayAdmit(member, Optional.empty(), Optional.empty(), Optional.empty())).isTrue();

        assertThat(Permissions.mayAdmit(robot, Optional.of("team/app"), privateProject, Optional.empty())).isTrue();
        assertThat(Permissions.mayAdmit(robot, Optional.of("other/app"), privateProject, Optional.empty())).isFalse();
        assertThat(Permissions.mayAdmit(robot, Optional.of("other/app"), Optional.of(true), Optional.empty()))
                .as("a public project's images, as anonymous pulls").isTrue();
        assertThat(Permissions.mayAdmit(member, Optional.of("team/app"), privateProject, Optional.of(Role.GUEST))).isTrue();
        assertThat(Permissions.mayAdmit(member, Optional.of("team/app"), privateProject, Optional.empty())).isFalse();
        assertThat(Permissions.mayAdmit(member, Optional.of("team/app"), Optional.empty(), Optional.empty()))
                .as("no such project").isFalse();
        assertThat(Permissions.mayAdmit(new Principal.User("root", true), Optional.of("team/app"), privateProject,
                Optional.empty())).isTrue();
    }
}
