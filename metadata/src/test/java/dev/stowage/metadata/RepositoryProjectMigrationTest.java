package dev.stowage.metadata;

import dev.stowage.core.access.Project;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V20: repositories pushed before projects were required (into a project that did not exist, or top-level) get their
 * project, private and without members, so that no repository stays outside every project's governance. Repositories
 * that hold nothing any more make no project.
 */
class RepositoryProjectMigrationTest {
    @TempDir Path dir;

    @Test
    void repositoriesOutsideAnyProjectGetAPrivateProjectWithoutMembers() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration/sqlite").target("17").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO projects (name, is_public, created_at) VALUES ('team', 1, 5)");
            s.execute("INSERT INTO repositories (id, name, created_at) VALUES (1, 'team/app', 0), (2, 'nope/app', 0), "
                    + "(3, 'nope/other', 0), (4, 'toplevel', 0), (5, 'emptied/app', 0)");
            s.execute("INSERT INTO blobs (digest, size, created_at) VALUES ('sha256:aa', 1, 0)");
            s.execute("INSERT INTO repository_blobs (repository_id, digest, linked_at) VALUES (1, 'sha256:aa', 0), "
                    + "(3, 'sha256:aa', 0), (4, 'sha256:aa', 0)");
            s.execute("INSERT INTO manifests (repository_id, digest, media_type, size, payload, pushed_at) VALUES "
                    + "(2, 'sha256:bb', 'application/vnd.oci.image.index.v1+json', 2, X'7B7D', 0)");
        }
        JdbcMetadataStore db = JdbcMetadataStore.open(new MetadataConfig(url, "", "", 0));
        try {
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            assertThat(identities.listProjects(null, 100)).extracting(Project::name)
                    .containsExactly("nope", "team", "toplevel");
            assertThat(identities.findProject("nope").orElseThrow().isPublic()).isFalse();
            assertThat(identities.findProject("toplevel").orElseThrow().isPublic()).isFalse();
            assertThat(identities.members("nope")).isEmpty();
            assertThat(identities.findProject("team").orElseThrow().isPublic()).isTrue();
        } finally {
            db.close();
        }
    }
}
