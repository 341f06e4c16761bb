package dev.stowage.metadata;

import dev.stowage.core.spi.GovernanceStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Governance settings in the metadata database (same pool and write path as the registry metadata). */
public final class JdbcGovernanceStore implements GovernanceStore {
    private final JdbcMetadataStore db;

    public JdbcGovernanceStore(JdbcMetadataStore db) {
        this.db = db;
    }

    @Override
    public List<StoredRule> immutableRules(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, project, rule FROM immutable_tag_rules WHERE project = ? ORDER BY id")) {
                s.setString(1, project);
                List<StoredRule> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new StoredRule(r.getLong(1), r.getString(2), r.getString(3)));
                }
                return out;
            }
        });
    }

    @Override
    public long addImmutableRule(String project, String json, Instant at) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO immutable_tag_rules (project, rule, created_at) VALUES (?, ?, ?) RETURNING id")) {
                s.setString(1, project);
                s.setString(2, json);
                s.setLong(3, at.toEpochMilli());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean replaceImmutableRule(String project, long id, String json) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE immutable_tag_rules SET rule = ? WHERE project = ? AND id = ?")) {
                s.setString(1, json);
                s.setString(2, project);
                s.setLong(3, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deleteImmutableRule(String project, long id) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM immutable_tag_rules WHERE project = ? AND id = ?")) {
                s.setString(1, project);
                s.setLong(2, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<String> tagMutability(String repository) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT setting FROM repository_tag_mutability WHERE repository = ?")) {
                s.setString(1, repository);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void setTagMutability(String repository, String json) {
        db.write(c -> {
            String sql = json == null ? "DELETE FROM repository_tag_mutability WHERE repository = ?"
                    : "INSERT INTO repository_tag_mutability (repository, setting) VALUES (?, ?) "
                    + "ON CONFLICT (repository) DO UPDATE SET setting = excluded.setting";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, repository);
                if (json != null) s.setString(2, json);
                s.executeUpdate();
            }
            return null;
        });
    }

    private static final String RETENTION_COLUMNS = "SELECT project, format, policy, schedule FROM retention_policies ";

    @Override
    public Optional<StoredRetention> retention(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(RETENTION_COLUMNS + "WHERE project = ?")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new StoredRetention(r.getString(1), r.getString(2), r.getString(3),
                            r.getString(4))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<StoredRetention> retentionPolicies() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(RETENTION_COLUMNS + "ORDER BY project")) {
                List<StoredRetention> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new StoredRetention(r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
                }
                return out;
            }
        });
    }

    @Override
    public void setRetention(StoredRetention retention, Instant at) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO retention_policies (project, format, policy, "
                    + "schedule, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project) DO UPDATE SET format = "
                    + "excluded.format, policy = excluded.policy, schedule = excluded.schedule, updated_at = excluded.updated_at")) {
                s.setString(1, retention.project());
                s.setString(2, retention.format());
                s.setString(3, retention.policy());
                s.setString(4, retention.schedule());
                s.setLong(5, at.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean deleteRetention(String project) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM retention_policies WHERE project = ?")) {
                s.setString(1, project);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<dev.stowage.core.governance.Quota> quota(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT storage_limit, artifact_limit, warning_percent FROM project_quotas WHERE project = ?")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    Long storage = r.getObject(1) == null ? null : r.getLong(1);
                    Long artifacts = r.getObject(2) == null ? null : r.getLong(2);
                    Integer warning = r.getObject(3) == null ? null : r.getInt(3);
                    return Optional.of(dev.stowage.core.governance.Quota.of(storage, artifacts, warning));
                }
            }
        });
    }

    @Override
    public void setQuota(String project, dev.stowage.core.governance.Quota quota) {
        db.write(c -> {
            if (quota.equals(dev.stowage.core.governance.Quota.UNLIMITED)) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM project_quotas WHERE project = ?")) {
                    s.setString(1, project);
                    s.executeUpdate();
                }
                return null;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO project_quotas (project, storage_limit, artifact_limit, "
                    + "warning_percent) VALUES (?, ?, ?, ?) ON CONFLICT (project) DO UPDATE SET storage_limit = "
                    + "excluded.storage_limit, artifact_limit = excluded.artifact_limit, warning_percent = excluded.warning_percent")) {
                s.setString(1, project);
                if (quota.storageLimitBytes().isPresent()) s.setLong(2, quota.storageLimitBytes().getAsLong()); else s.setNull(2, java.sql.Types.BIGINT);
                if (quota.artifactLimit().isPresent()) s.setLong(3, quota.artifactLimit().getAsLong()); else s.setNull(3, java.sql.Types.BIGINT);
                if (quota.warningPercent().isPresent()) s.setInt(4, quota.warningPercent().getAsInt()); else s.setNull(4, java.sql.Types.INTEGER);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public ProjectDeletion deleteProject(String project) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM projects WHERE name = ?")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return ProjectDeletion.NO_SUCH_PROJECT;
                }
            }
            // The project's repositories: the name itself (top-level) or below "project/".
            String inProject = "(name = ? OR (name > ? AND name < ?))";
            try (PreparedStatement s = c.prepareStatement("DELETE FROM repositories WHERE " + inProject + " AND NOT EXISTS "
                    + "(SELECT 1 FROM manifests m WHERE m.repository_id = repositories.id) AND NOT EXISTS "
                    + "(SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = repositories.id)")) {
                setProject(s, 1, project);
                s.executeUpdate(); // rows of repositories emptied before: nothing of theirs is left
            }
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM repositories WHERE " + inProject)) {
                setProject(s, 1, project);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) return ProjectDeletion.HAS_REPOSITORIES;
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM repository_tag_mutability WHERE " + inProject
                    .replace("name", "repository"))) {
                setProject(s, 1, project);
                s.executeUpdate();
            }
            for (JdbcMetadataStore.ProjectRows owned : db.projectRows()) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + owned.table() + " WHERE " + owned.column()
                        + " = ?")) {
                    s.setString(1, project);
                    s.executeUpdate();
                }
            }
            for (String sql : List.of(
                    "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w "
                            + "ON w.id = d.webhook_id WHERE w.project = ?)",
                    "DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM webhooks WHERE project = ?)",
                    "DELETE FROM webhooks WHERE project = ?",
                    "DELETE FROM robots WHERE project = ?",
                    "DELETE FROM project_members WHERE project = ?",
                    "DELETE FROM immutable_tag_rules WHERE project = ?",
                    "DELETE FROM retention_policies WHERE project = ?",
                    "DELETE FROM project_quotas WHERE project = ?",
                    "DELETE FROM projects WHERE name = ?")) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.setString(1, project);
                    s.executeUpdate();
                }
            }
            return ProjectDeletion.DELETED;
        });
    }

    private static void setProject(PreparedStatement s, int first, String project) throws java.sql.SQLException {
        s.setString(first, project);
        s.setString(first + 1, project + "/");
        s.setString(first + 2, project + "0");
    }
}
