package dev.stowage.core.access;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RobotPermissionTest {
    @Test
    void singleStarStaysInOneComponentDoubleStarCrosses() {
        assertThat(new RobotPermission("team/*", Set.of(Action.PULL)).matches("team/app")).isTrue();
        assertThat(new RobotPermission("team/*", Set.of(Action.PULL)).matches("team/app/sub")).isFalse();
        assertThat(new RobotPermission("team/**", Set.of(Action.PULL)).matches("team/app/sub")).isTrue();
        assertThat(new RobotPermission("team/app", Set.of(Action.PULL)).matches("team/apps")).isFalse();
        assertThat(new RobotPermission("team.x/*", Set.of(Action.PULL)).matches("teamyx/app")).isFalse();
    }

    @Test
    void robotsGetTheirMatchingActionsPlusPublicPulls() {
        Principal.Robot robot = new Principal.Robot("robot$ci", List.of(
                new RobotPermission("team/**", Set.of(Action.PULL, Action.PUSH)),
                new RobotPermission("team/legacy", Set.of(Action.DELETE))));
        assertThat(Permissions.forRobot(robot, "team/app", Optional.of(false))).containsExactlyInAnyOrder(Action.PULL, Action.PUSH);
        assertThat(Permissions.forRobot(robot, "team/legacy", Optional.of(false)))
                .containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(Permissions.forRobot(robot, "other/app", Optional.of(false))).isEmpty();
        assertThat(Permissions.forRobot(robot, "other/app", Optional.of(true))).containsExactly(Action.PULL);
        assertThat(Permissions.mayManageSystem(robot)).isFalse();
    }
}
