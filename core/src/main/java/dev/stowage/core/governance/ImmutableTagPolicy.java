package dev.stowage.core.governance;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Enforces immutable tags: a push that would move an immutable tag to another manifest, a delete of the tag, a
 * delete of a manifest an immutable tag names, or a delete of a blob such an image uses is refused with DENIED and
 * the rule that decided. Pushing the same
 * manifest to the tag again, and creating a new tag, are allowed.
 */
public final class ImmutableTagPolicy implements RegistryPolicy {
    private final GovernanceStore store;
    private final MetadataStore metadata;
    /** Rules change rarely and pushes need them each time: a change is seen within seconds on every node. */
    private final Cache<String, TagImmutability> settings = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    public ImmutableTagPolicy(GovernanceStore store, MetadataStore metadata) {
        this.store = store;
        this.metadata = metadata;
    }

    /** What protects tags of {@code repository}: its project's rules and its own mutability setting. */
    public TagImmutability immutabilityOf(RepositoryName repository) {
        return settings.get(repository.value(), name -> {
            List<ImmutableTagRule> rules = store.immutableRules(repository.project()).stream()
                    .map(r -> ImmutableTagRule.parse(r.id(), r.json())).toList();
            TagMutability mutability = store.tagMutability(name).map(TagMutability::parse).orElse(TagMutability.MUTABLE);
            return new TagImmutability(rules, mutability);
        });
    }

    public List<GovernanceStore.StoredRule> rules(String project) {
        return store.immutableRules(project);
    }

    /** Validates (a {@link PolicyException} names the bad field) and stores a rule; answers it with its id. */
    public GovernanceStore.StoredRule addRule(String project, String json) {
        ImmutableTagRule.parse(0, json);
        long id = store.addImmutableRule(project, json, java.time.Instant.now());
        settings.invalidateAll();
        return new GovernanceStore.StoredRule(id, project, json);
    }

    public Optional<GovernanceStore.StoredRule> replaceRule(String project, long id, String json) {
        ImmutableTagRule.parse(id, json);
        boolean replaced = store.replaceImmutableRule(project, id, json);
        settings.invalidateAll();
        return replaced ? Optional.of(new GovernanceStore.StoredRule(id, project, json)) : Optional.empty();
    }

    public boolean deleteRule(String project, long id) {
        boolean deleted = store.deleteImmutableRule(project, id);
        settings.invalidateAll();
        return deleted;
    }

    public TagMutability mutability(RepositoryName repository) {
        return store.tagMutability(repository.value()).map(TagMutability::parse).orElse(TagMutability.MUTABLE);
    }

    /** Validates and stores an ECR-style setting; null goes back to mutable. */
    public TagMutability setMutability(RepositoryName repository, String json) {
        TagMutability parsed = json == null ? TagMutability.MUTABLE : TagMutability.parse(json);
        store.setTagMutability(repository.value(), json);
        settings.invalidateAll();
        return parsed;
    }

    @Override
    public void beforeManifestPut(RepositoryName repository, ParsedManifest manifest, Optional<Tag> tag) {
        if (tag.isEmpty()) return;
        Optional<ManifestRecord> current = metadata.findManifestByTag(repository, tag.get());
        if (current.isEmpty() || current.get().digest().equals(manifest.digest())) return;
        refuseIfProtected(repository, List.of(tag.get().value()), "cannot be moved to another manifest");
    }

    @Override
    public void beforeTagDelete(RepositoryName repository, Tag tag) {
        refuseIfProtected(repository, List.of(tag.value()), "cannot be deleted");
    }

    @Override
    public void beforeManifestDelete(RepositoryName repository, ManifestRecord manifest) {
        List<String> tags = metadata.tagsOf(repository, manifest.digest()).stream().map(Tag::value).toList();
        refuseIfProtected(repository, tags, "names this manifest, which cannot be deleted");
    }

    /** Deleting a blob an immutable image uses would break that image as surely as deleting its manifest. */
    @Override
    public void beforeBlobDelete(RepositoryName repository, dev.stowage.core.Digest digest) {
        if (immutabilityOf(repository).protectsNothing()) return; // no rule: no query on the delete path
        List<String> tags = metadata.tagsOfImagesUsing(repository, digest).stream().map(Tag::value).toList();
        refuseIfProtected(repository, tags, "names an image that uses this blob, which cannot be deleted");
    }

    /** The rule that protects one of {@code tags} of {@code repository}, if one does. */
    public Optional<ImmutabilityVerdict> protectingRule(RepositoryName repository, java.util.Collection<String> tags) {
        if (tags.isEmpty()) return Optional.empty();
        return immutabilityOf(repository).protectingRule(RepositorySelector.pathInProject(repository.value()), tags);
    }

    private void refuseIfProtected(RepositoryName repository, List<String> tags, String consequence) {
        Optional<ImmutabilityVerdict> verdict = protectingRule(repository, tags);
        if (verdict.isPresent()) {
            throw new RegistryException(ErrorCode.DENIED, verdict.get().message() + ": it " + consequence, null, 403);
        }
    }
}
