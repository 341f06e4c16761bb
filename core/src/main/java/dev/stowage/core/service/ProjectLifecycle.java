package dev.stowage.core.service;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.MetadataStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What administrators see of a project's content and how they remove it: repositories and artifacts listed with
 * sizes and push and pull times, a repository deleted with everything in it, a project deleted (only when empty, or
 * with its repositories when forced). Deleted content's bytes are left to the garbage collector.
 *
 * <p>A repository deletion is refused while it holds a tag that immutability rules protect, as a tag delete would be
 * (the rule must be changed first, by a project administrator). Deleting a whole project is for system administrators
 * and takes its immutability rules with it, so a forced project deletion does not stop at immutable tags.
 */
public final class ProjectLifecycle {
    /** How many repositories a forced project deletion reads at a time. */
    private static final int BATCH = 500;

    private final RegistryService service;
    private final Optional<GovernanceStore> governance;
    private final EventPublisher events;

    public ProjectLifecycle(RegistryService service, Optional<GovernanceStore> governance, EventPublisher events) {
        this.service = service;
        this.governance = governance;
        this.events = events;
    }

    private MetadataStore metadata() {
        return service.metadataStore();
    }

    public List<MetadataStore.RepositorySummary> repositories(String project, Optional<String> after, int limit) {
        return metadata().repositorySummaries(project, after.orElse(null), limit);
    }

    /** The repository's artifacts; NAME_UNKNOWN when it does not exist. */
    public List<MetadataStore.ArtifactSummary> artifacts(RepositoryName repository, Optional<String> after, int limit) {
        if (!metadata().repositoryExists(repository)) throw unknown(repository);
        return metadata().artifactSummaries(repository, after.orElse(null), limit);
    }

    /** What a deletion removed. */
    public record Removed(int repositories, int artifacts) {}

    /** Deletes the repository and all it holds, unless a tag in it is immutable; announces each artifact deleted. */
    public Removed deleteRepository(RepositoryName repository, String actor) {
        if (!metadata().repositoryExists(repository)) throw unknown(repository);
        requireNoImmutableTags(repository);
        return remove(repository, actor);
    }

    /**
     * Deletes the project: refused with 409 while it holds repositories, unless {@code force}, which first deletes
     * them (immutable tags included). Then its members, robots, webhooks and policies go with it.
     */
    public Removed deleteProject(String project, boolean force, String actor) {
        List<MetadataStore.RepositorySummary> held = metadata().repositorySummaries(project, null, BATCH);
        if (!held.isEmpty() && !force) throw notEmpty(project);
        GovernanceStore store = governance.orElseThrow(() -> new RegistryException(ErrorCode.UNSUPPORTED,
                "this registry was started without the governance store, which deleting projects needs", null, 405));
        int repositories = 0;
        int artifacts = 0;
        while (!held.isEmpty()) {
            for (MetadataStore.RepositorySummary repository : held) {
                artifacts += remove(repository.name(), actor).artifacts();
                repositories++;
            }
            held = metadata().repositorySummaries(project, null, BATCH);
        }
        switch (store.deleteProject(project)) {
            case DELETED -> { }
            case NO_SUCH_PROJECT -> throw new RegistryException(ErrorCode.NOT_FOUND, "project " + project + " not found");
            case HAS_REPOSITORIES -> throw notEmpty(project); // a push arrived meanwhile
        }
        return new Removed(repositories, artifacts);
    }

    private Removed remove(RepositoryName repository, String actor) {
        List<MetadataStore.RemovedManifest> removed = metadata().deleteRepository(repository).orElse(List.of());
        for (MetadataStore.RemovedManifest manifest : removed) {
            service.manifestExpired(repository, manifest.digest(), manifest.tags());
            events.publish(RegistryEvent.deleted(repository, manifest.digest(), null, actor));
        }
        governance.ifPresent(g -> g.setTagMutability(repository.value(), null));
        return new Removed(1, removed.size());
    }

    /** Every tag must be deletable on its own, as the immutability policies decide it for a tag DELETE. */
    private void requireNoImmutableTags(RepositoryName repository) {
        String after = null;
        List<Tag> tags;
        do {
            tags = metadata().listTags(repository, after, BATCH);
            for (Tag tag : tags) service.policy().beforeTagDelete(repository, tag);
            after = tags.isEmpty() ? null : tags.getLast().value();
        } while (tags.size() == BATCH);
    }

    private static RegistryException notEmpty(String project) {
        return new RegistryException(ErrorCode.CONFLICT, "project " + project + " still has repositories: delete them "
                + "first, or delete the project with them (?force=true, or --force on the command line)",
                Map.of("project", project), 409);
    }

    private static RegistryException unknown(RepositoryName repository) {
        return new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry: " + repository,
                Map.of("name", repository.value()));
    }
}
