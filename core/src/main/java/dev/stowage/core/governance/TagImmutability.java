package dev.stowage.core.governance;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a tag of one repository is immutable: by any enabled rule of its project (Harbor-style), or by the
 * repository's own tag mutability setting (ECR-style). Either one suffices. Project rules are consulted first, in
 * order of id, so the verdict always names the same rule.
 */
public final class TagImmutability {
    public static final TagImmutability NONE = new TagImmutability(List.of(), TagMutability.MUTABLE);

    private final List<ImmutableTagRule> projectRules;
    private final TagMutability repositorySetting;

    public TagImmutability(List<ImmutableTagRule> projectRules, TagMutability repositorySetting) {
        this.projectRules = projectRules.stream().sorted(Comparator.comparingLong(ImmutableTagRule::id)).toList();
        this.repositorySetting = repositorySetting;
    }

    /** Whether no tag can be immutable here (no project rule, a mutable repository): callers may skip their queries. */
    public boolean protectsNothing() {
        return projectRules.isEmpty() && repositorySetting.mode() == TagMutability.Mode.MUTABLE;
    }

    /** @param repositoryInProject the repository's path within its project, see {@link RepositorySelector#pathInProject} */
    public Optional<ImmutabilityVerdict> protectingRule(String repositoryInProject, String tag) {
        for (ImmutableTagRule rule : projectRules) {
            if (rule.protects(repositoryInProject, tag)) return Optional.of(new ImmutabilityVerdict(tag, rule.describe()));
        }
        return repositorySetting.immutabilityReason(tag).map(reason -> new ImmutabilityVerdict(tag, reason));
    }

    /** The first of the tags (in the order given) that is immutable: retention must not remove an image holding one. */
    public Optional<ImmutabilityVerdict> protectingRule(String repositoryInProject, Collection<String> tags) {
        for (String tag : tags) {
            Optional<ImmutabilityVerdict> verdict = protectingRule(repositoryInProject, tag);
            if (verdict.isPresent()) return verdict;
        }
        return Optional.empty();
    }
}
