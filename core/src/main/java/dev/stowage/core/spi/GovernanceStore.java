package dev.stowage.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Governance settings: immutable-tag rules per project and tag mutability per repository. Blocking. */
public interface GovernanceStore {

    /** A rule as stored: its id, project, and the JSON it was given as (validated before it was stored). */
    record StoredRule(long id, String project, String json) {}

    List<StoredRule> immutableRules(String project);

    /** Adds a rule to an existing project and answers its id. */
    long addImmutableRule(String project, String json, Instant at);

    boolean replaceImmutableRule(String project, long id, String json);

    boolean deleteImmutableRule(String project, long id);

    /** The repository's ECR-style tag mutability JSON, if one was set. */
    Optional<String> tagMutability(String repository);

    /** Sets the repository's tag mutability; null removes it (tags are mutable). */
    void setTagMutability(String repository, String json);

    /** A project's retention policy as stored: {@code format} is "ecr" or "harbor"; {@code schedule} may be null. */
    record StoredRetention(String project, String format, String policy, String schedule) {}

    Optional<StoredRetention> retention(String project);

    /** Every project's retention policy, for the scheduler. */
    List<StoredRetention> retentionPolicies();

    void setRetention(StoredRetention retention, Instant at);

    boolean deleteRetention(String project);

    Optional<dev.stowage.core.governance.Quota> quota(String project);

    /** Sets the project's quota; {@link dev.stowage.core.governance.Quota#UNLIMITED} removes it. */
    void setQuota(String project, dev.stowage.core.governance.Quota quota);

    /** Why {@link #deleteProject} did not delete. */
    enum ProjectDeletion { DELETED, NO_SUCH_PROJECT, HAS_REPOSITORIES }

    /**
     * Deletes the project and everything that is only its: members, robots, webhooks (with their deliveries),
     * immutable-tag rules, retention policy, quota and its repositories' tag mutability; in one transaction, and only
     * while it holds no repository (checked in that transaction, so a push racing the deletion keeps the project).
     */
    ProjectDeletion deleteProject(String project);
}
