package dev.stowage.metadata;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V16 records each robot's project. Rows made before it are given one only when they look exactly like what the
 * project's routes create: {@code robot$<p>+<n>} for an existing p with every permission inside p. A system robot
 * that was named {@code <p>+<n>} and reaches elsewhere stays a system robot.
 */
class RobotProjectMigrationTest {
    @TempDir Path dir;

    @Test
    void legacyRobotsGetAProjectOnlyWhenTheirNameAndEveryPermissionFitIt() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration/sqlite").target("15").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO projects (name, is_public, created_at) VALUES ('team', 0, 0), ('alpha', 0, 0)");
            s.execute("INSERT INTO robots (name, secret_hash, permissions, created_at) VALUES "
                    + "('robot$team+ci', 'h', 'team/**=pull,push;team/base=pull', 0), "
                    + "('robot$team+x', 'h', 'alpha/**=pull,push', 0), "
                    + "('robot$team+mixed', 'h', 'team/**=pull;alpha/**=pull', 0), "
                    + "('robot$team+tricky', 'h', 'teamx/**=pull', 0), "
                    + "('robot$gone+ci', 'h', 'gone/**=pull', 0), "
                    + "('robot$ci', 'h', 'team/**=pull', 0)");
        }
        JdbcMetadataStore db = JdbcMetadataStore.open(new MetadataConfig(url, "", "", 0));
        try {
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            assertThat(identities.findRobot("robot$team+ci").orElseThrow().project()).isEqualTo("team");
            assertThat(identities.findRobot("robot$team+x").orElseThrow().project()).isNull();
            assertThat(identities.findRobot("robot$team+mixed").orElseThrow().project()).isNull();
            assertThat(identities.findRobot("robot$team+tricky").orElseThrow().project()).isNull();
            assertThat(identities.findRobot("robot$gone+ci").orElseThrow().project()).isNull();
            assertThat(identities.findRobot("robot$ci").orElseThrow().project()).isNull();
        } finally {
            db.close();
        }
    }
}
