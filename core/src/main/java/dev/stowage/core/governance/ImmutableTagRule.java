package dev.stowage.core.governance;

import java.util.Set;

/**
 * A Harbor-style immutability rule of a project: tags selected by {@code tags} in repositories selected by
 * {@code repositories} cannot be overwritten or deleted. The id is the store's; it names the rule in error messages.
 */
public record ImmutableTagRule(long id, boolean disabled, RepositorySelector repositories, TagSelector tags) {

    public ImmutableTagRule {
        if (repositories == null || tags == null) throw new IllegalArgumentException("selectors required");
        tags = tags.withUntagged(false); // immutability is decided per tag; untagged images have none to protect
    }

    public static ImmutableTagRule of(long id, RepositorySelector repositories, TagSelector tags) {
        return new ImmutableTagRule(id, false, repositories, tags);
    }

    /** @param repositoryInProject the repository's path within its project, see {@link RepositorySelector} */
    public boolean protects(String repositoryInProject, String tag) {
        return !disabled && repositories.selects(repositoryInProject) && tags.selectsTag(tag);
    }

    /** e.g. {@code rule 3 (repositories matching "**", tags matching "v*")}. */
    public String describe() {
        return "rule " + id + " (" + repositories.describe() + ", " + tags.describe() + ")";
    }

    /**
     * Reads Harbor's immutable rule body: {@code {"disabled":false,"scope_selectors":{"repository":[{"kind":"doublestar",
     * "decoration":"repoMatches","pattern":"**"}]},"tag_selectors":[{"kind":"doublestar","decoration":"matches",
     * "pattern":"v*"}]}}. Harbor's constant fields ({@code action: "immutable"}, {@code template: "immutable_template"})
     * are accepted; {@code id} and {@code priority} in the body are ignored, the store's id is {@code id}, and so is an
     * untagged flag on the tag selector, as Harbor does (immutability is decided per tag).
     */
    public static ImmutableTagRule parse(long id, String json) {
        PolicyJson.Obj rule = PolicyJson.parse(json);
        rule.allowOnly(Set.of("id", "priority", "disabled", "action", "template", "scope_selectors", "tag_selectors"));
        rule.constant("action", "immutable");
        rule.constant("template", "immutable_template");
        return new ImmutableTagRule(id, rule.bool("disabled", false), RepositorySelector.fromScopeSelectors(rule),
                TagSelector.fromTagSelectors(rule));
    }
}
