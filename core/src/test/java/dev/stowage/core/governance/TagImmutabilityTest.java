package dev.stowage.core.governance;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TagImmutabilityTest {
    private static final ImmutableTagRule RELEASES =
            ImmutableTagRule.of(3, RepositorySelector.matching("**"), TagSelector.matching("v*"));

    private static String verdict(TagImmutability immutability, String repositoryInProject, String tag) {
        return immutability.protectingRule(repositoryInProject, tag).map(ImmutabilityVerdict::message).orElse("mutable");
    }

    @Test
    void repositoryPatternsSeeThePathWithinTheProject() {
        assertThat(RepositorySelector.pathInProject("team/app/web")).isEqualTo("app/web");
        assertThat(RepositorySelector.pathInProject("alpine")).isEqualTo("alpine");
        ImmutableTagRule rule = ImmutableTagRule.of(1, RepositorySelector.matching("app/*"), TagSelector.matching("**"));
        assertThat(rule.protects(RepositorySelector.pathInProject("team/app/web"), "v1")).isTrue();
        assertThat(rule.protects(RepositorySelector.pathInProject("team/app/web/x"), "v1")).isFalse();
    }

    @Test
    void aMatchingRuleNamesItselfInTheVerdict() {
        TagImmutability immutability = new TagImmutability(List.of(RELEASES), TagMutability.MUTABLE);
        assertThat(verdict(immutability, "app", "v1.0"))
                .isEqualTo("tag \"v1.0\" is immutable by rule 3 (repositories matching \"**\", tags matching \"v*\")");
        assertThat(verdict(immutability, "app", "latest")).isEqualTo("mutable");
    }

    @Test
    void excludingSelectorsProtectEverythingTheirPatternDoesNotName() {
        ImmutableTagRule rule = new ImmutableTagRule(7, false,
                RepositorySelector.excluding("sandbox/**"), TagSelector.excluding("dev-*"));
        TagImmutability immutability = new TagImmutability(List.of(rule), TagMutability.MUTABLE);
        assertThat(verdict(immutability, "app", "1.0")).isEqualTo(
                "tag \"1.0\" is immutable by rule 7 (repositories excluding \"sandbox/**\", tags excluding \"dev-*\")");
        assertThat(verdict(immutability, "app", "dev-42")).isEqualTo("mutable");
        assertThat(verdict(immutability, "sandbox/app", "1.0")).isEqualTo("mutable");
    }

    @Test
    void aDisabledRuleProtectsNothing() {
        ImmutableTagRule disabled = new ImmutableTagRule(3, true, RepositorySelector.ALL, TagSelector.matching("**"));
        assertThat(new TagImmutability(List.of(disabled), TagMutability.MUTABLE).protectingRule("app", "v1")).isEmpty();
    }

    @Test
    void theRuleWithTheLowestIdIsNamedWhenSeveralMatch() {
        ImmutableTagRule everything = ImmutableTagRule.of(9, RepositorySelector.ALL, TagSelector.matching("**"));
        TagImmutability immutability = new TagImmutability(List.of(everything, RELEASES), TagMutability.MUTABLE);
        assertThat(immutability.protectingRule("app", "v2").orElseThrow().rule()).startsWith("rule 3 ");
    }

    @Test
    void immutableRepositoriesProtectEveryTag() {
        TagImmutability immutability = new TagImmutability(List.of(), TagMutability.IMMUTABLE);
        assertThat(verdict(immutability, "app", "latest"))
                .isEqualTo("tag \"latest\" is immutable by the repository's tag mutability IMMUTABLE");
    }

    @Test
    void immutableWithExclusionLeavesTheExcludedTagsMutable() {
        TagMutability setting = TagMutability.of(TagMutability.Mode.IMMUTABLE_WITH_EXCLUSION, List.of("latest", "dev-*"));
        TagImmutability immutability = new TagImmutability(List.of(), setting);
        assertThat(verdict(immutability, "app", "latest")).isEqualTo("mutable");
        assertThat(verdict(immutability, "app", "dev-feature")).isEqualTo("mutable");
        assertThat(verdict(immutability, "app", "1.0")).isEqualTo("tag \"1.0\" is immutable by the repository's tag"
                + " mutability IMMUTABLE_WITH_EXCLUSION (no exclusion filter of [\"latest\",\"dev-*\"] matches)");
    }

    @Test
    void mutableWithExclusionMakesOnlyTheExcludedTagsImmutable() {
        TagMutability setting = TagMutability.of(TagMutability.Mode.MUTABLE_WITH_EXCLUSION, List.of("prod-*"));
        TagImmutability immutability = new TagImmutability(List.of(), setting);
        assertThat(verdict(immutability, "app", "latest")).isEqualTo("mutable");
        assertThat(verdict(immutability, "app", "prod-1")).isEqualTo("tag \"prod-1\" is immutable by the repository's"
                + " tag mutability MUTABLE_WITH_EXCLUSION (exclusion filter \"prod-*\" matches)");
    }

    @Test
    void projectRulesAreNamedBeforeTheRepositorySetting() {
        TagImmutability immutability = new TagImmutability(List.of(RELEASES), TagMutability.IMMUTABLE);
        assertThat(immutability.protectingRule("app", "v1").orElseThrow().rule()).startsWith("rule 3 ");
        assertThat(immutability.protectingRule("app", "latest").orElseThrow().rule())
                .isEqualTo("the repository's tag mutability IMMUTABLE");
    }

    @Test
    void anImageIsProtectedWhenAnyOfItsTagsIs() {
        TagImmutability immutability = new TagImmutability(List.of(RELEASES), TagMutability.MUTABLE);
        assertThat(immutability.protectingRule("app", List.of("latest", "v1.2", "v1.3")).orElseThrow().tag()).isEqualTo("v1.2");
        assertThat(immutability.protectingRule("app", List.of("latest", "main"))).isEmpty();
        assertThat(immutability.protectingRule("app", List.<String>of())).isEmpty();
    }

    @Test
    void ecrSettingIsReadFromThePutImageTagMutabilityShape() {
        TagMutability setting = TagMutability.parse("""
                {"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION",
                 "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"latest"}]}""");
        assertThat(setting.mode()).isEqualTo(TagMutability.Mode.IMMUTABLE_WITH_EXCLUSION);
        assertThat(setting.isImmutable("latest")).isFalse();
        assertThat(setting.isImmutable("1.0")).isTrue();
        assertThat(TagMutability.parse("{\"imageTagMutability\":\"MUTABLE\"}")).isEqualTo(TagMutability.MUTABLE);
    }

    @Test
    void ecrSettingErrorsNameTheField() {
        assertThatThrownBy(() -> TagMutability.parse("{\"imageTagMutability\":\"IMMUTABLE_WITH_EXCLUSION\"}"))
                .hasMessage("imageTagMutabilityExclusionFilters: 1 to 5 filters required when imageTagMutability is"
                        + " IMMUTABLE_WITH_EXCLUSION");
        assertThatThrownBy(() -> TagMutability.parse("""
                {"imageTagMutability":"MUTABLE","imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"x"}]}"""))
                .hasMessageStartingWith("imageTagMutabilityExclusionFilters: only allowed when");
        assertThatThrownBy(() -> TagMutability.parse("""
                {"imageTagMutability":"MUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filterType":"REGEX","filter":"x"}]}"""))
                .hasMessage("imageTagMutabilityExclusionFilters[0].filterType: must be WILDCARD");
        assertThatThrownBy(() -> TagMutability.parse("""
                {"imageTagMutability":"MUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"a/b"}]}"""))
                .hasMessage("imageTagMutabilityExclusionFilters[0].filter: must be 1 to 128 of the characters 0-9 a-z A-Z . _ - *");
        assertThatThrownBy(() -> TagMutability.parse("{\"imageTagMutability\":\"FROZEN\"}"))
                .hasMessageStartingWith("imageTagMutability: must be one of MUTABLE, IMMUTABLE,");
        assertThatThrownBy(() -> TagMutability.parse("{\"imageTagMutability\":\"MUTABLE\",\"repositoryName\":\"x\"}"))
                .hasMessage("repositoryName: unknown field (allowed: imageTagMutability, imageTagMutabilityExclusionFilters)");
    }

    @Test
    void ecrAcceptsAtMostFiveExclusionFilters() {
        List<String> six = List.of("a", "b", "c", "d", "e", "f");
        assertThatThrownBy(() -> TagMutability.of(TagMutability.Mode.MUTABLE_WITH_EXCLUSION, six))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("1 to 5 filters required");
    }

    @Test
    void harborRuleIsReadFromItsApiShape() {
        ImmutableTagRule rule = ImmutableTagRule.parse(12, """
                {"disabled":false,"action":"immutable","template":"immutable_template","priority":0,
                 "scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"app/**"}]},
                 "tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"{v,release-}*"}]}""");
        assertThat(rule.describe())
                .isEqualTo("rule 12 (repositories matching \"app/**\", tags matching \"{v,release-}*\")");
        assertThat(rule.protects("app/web", "release-3")).isTrue();
        assertThat(rule.protects("lib", "release-3")).isFalse();
    }

    @Test
    void harborRuleErrorsNameTheField() {
        String scope = "\"scope_selectors\":{\"repository\":[{\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}";
        assertThatThrownBy(() -> ImmutableTagRule.parse(1, "{" + scope + ",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"v[\"}]}"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("tag_selectors[0].pattern: unclosed '[' at character 2 of \"v[\"");
        assertThatThrownBy(() -> ImmutableTagRule.parse(1, "{" + scope + ",\"tag_selectors\":[{\"decoration\":\"repoMatches\",\"pattern\":\"v\"}]}"))
                .hasMessage("tag_selectors[0].decoration: must be \"matches\" or \"excludes\"");
        assertThatThrownBy(() -> ImmutableTagRule.parse(1, "{" + scope + ",\"tag_selectors\":[]}"))
                .hasMessage("tag_selectors: must hold exactly one selector");
        assertThatThrownBy(() -> ImmutableTagRule.parse(1, "{\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"v\"}]}"))
                .hasMessage("scope_selectors: required");
        assertThatThrownBy(() -> ImmutableTagRule.parse(1, "{" + scope + ",\"tag_selectors\":[{\"kind\":\"regex\",\"decoration\":\"matches\",\"pattern\":\"v\"}]}"))
                .hasMessage("tag_selectors[0].kind: must be \"doublestar\"");
    }
}
