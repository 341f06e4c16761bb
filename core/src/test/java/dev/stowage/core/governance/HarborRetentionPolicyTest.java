package dev.stowage.core.governance;

import dev.stowage.core.governance.HarborRetentionPolicy.Rule;
import dev.stowage.core.governance.HarborRetentionPolicy.Template;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static dev.stowage.core.governance.Images.NOW;
import static dev.stowage.core.governance.Images.REPOSITORY;
import static dev.stowage.core.governance.Images.decidedBy;
import static dev.stowage.core.governance.Images.image;
import static dev.stowage.core.governance.Images.names;
import static dev.stowage.core.governance.Images.pulledDaysAgo;
import static dev.stowage.core.governance.Images.pushedDaysAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HarborRetentionPolicyTest {
    private static final TagSelector ALL_TAGS_AND_UNTAGGED = TagSelector.matching("**").withUntagged(true);

    private static RetentionPlan plan(List<Rule> rules, ImageCandidate... images) {
        return new HarborRetentionPolicy(rules).plan(List.of(images), NOW, image -> false);
    }

    private static Rule everywhere(Template template, int parameter) {
        return Rule.of(template, parameter, RepositorySelector.ALL, ALL_TAGS_AND_UNTAGGED);
    }

    // --- templates ---

    @Test
    void latestPushedKRetainsTheKMostRecentlyPushedAndTheRestIsRemoved() {
        RetentionPlan plan = plan(List.of(everywhere(Template.LATEST_PUSHED_K, 2)),
                pushedDaysAgo("a", 4, "v1"), pushedDaysAgo("b", 3), pushedDaysAgo("c", 2, "v3"), pushedDaysAgo("d", 1, "v4"));
        assertThat(names(plan.kept())).containsExactly("d", "c");
        assertThat(decidedBy(plan.kept(), "d"))
                .isEqualTo("Harbor rules[0]: latestPushedK 2 (repositories matching \"**\", tags matching \"**\" and untagged)");
        assertThat(names(plan.removals())).containsExactly("b", "a");
        assertThat(decidedBy(plan.removals(), "a")).isEqualTo("Harbor: retained by no rule");
    }

    @Test
    void latestPulledNRetainsTheMostRecentlyPulledThenTheNewestNeverPulled() {
        RetentionPlan plan = plan(List.of(everywhere(Template.LATEST_PULLED_N, 2)),
                pulledDaysAgo(pushedDaysAgo("oldPulledToday", 90, "a"), 0),
                pulledDaysAgo(pushedDaysAgo("pulledLongAgo", 80, "b"), 60),
                pushedDaysAgo("newNeverPulled", 1, "c"));
        assertThat(names(plan.kept())).containsExactlyInAnyOrder("oldPulledToday", "pulledLongAgo");
        assertThat(names(plan.removals())).containsExactly("newNeverPulled");

        RetentionPlan fewPulled = plan(List.of(everywhere(Template.LATEST_PULLED_N, 2)),
                pulledDaysAgo(pushedDaysAgo("pulled", 90, "a"), 5), pushedDaysAgo("newer", 2, "b"), pushedDaysAgo("older", 3, "c"));
        assertThat(names(fewPulled.kept())).containsExactlyInAnyOrder("pulled", "newer");
    }

    @Test
    void nDaysSinceLastPushRetainsImagesPushedWithinTheLastNDays() {
        RetentionPlan plan = plan(List.of(everywhere(Template.N_DAYS_SINCE_LAST_PUSH, 7)),
                pushedDaysAgo("eightDays", 8, "a"), pushedDaysAgo("sevenDays", 7, "b"), pushedDaysAgo("today", 0, "c"));
        assertThat(names(plan.kept())).containsExactly("today", "sevenDays");
        assertThat(names(plan.removals())).containsExactly("eightDays");
    }

    @Test
    void nDaysSinceLastPullRetainsImagesPulledWithinTheLastNDaysAndNotThoseNeverPulled() {
        RetentionPlan plan = plan(List.of(everywhere(Template.N_DAYS_SINCE_LAST_PULL, 30)),
                pulledDaysAgo(pushedDaysAgo("pulledRecently", 100, "a"), 29),
                pulledDaysAgo(pushedDaysAgo("pulledLongAgo", 100, "b"), 31),
                pushedDaysAgo("neverPulled", 0, "c"));
        assertThat(names(plan.kept())).containsExactly("pulledRecently");
        assertThat(names(plan.removals())).containsExactlyInAnyOrder("pulledLongAgo", "neverPulled");
    }

    @Test
    void alwaysRetainsEverythingItsTagSelectorTakes() {
        RetentionPlan plan = plan(List.of(Rule.of(Template.ALWAYS, 0, RepositorySelector.ALL, TagSelector.matching("release-*"))),
                pushedDaysAgo("release", 900, "release-1"), pushedDaysAgo("dev", 1, "dev-1"));
        assertThat(names(plan.kept())).containsExactly("release");
        assertThat(decidedBy(plan.kept(), "release"))
                .isEqualTo("Harbor rules[0]: always (repositories matching \"**\", tags matching \"release-*\")");
        assertThat(names(plan.removals())).containsExactly("dev");
    }

    // --- combining rules and scopes ---

    @Test
    void anImageIsKeptWhenAnyRuleRetainsItAndNamedAfterTheFirst() {
        RetentionPlan plan = plan(List.of(
                        Rule.of(Template.LATEST_PUSHED_K, 1, RepositorySelector.ALL, TagSelector.matching("v*")),
                        Rule.of(Template.N_DAYS_SINCE_LAST_PUSH, 10, RepositorySelector.ALL, TagSelector.matching("**"))),
                pushedDaysAgo("newRelease", 1, "v2"), pushedDaysAgo("oldRelease", 30, "v1"), pushedDaysAgo("recentDev", 5, "dev"));
        assertThat(names(plan.kept())).containsExactly("newRelease", "recentDev");
        assertThat(decidedBy(plan.kept(), "newRelease")).startsWith("Harbor rules[0]:");
        assertThat(decidedBy(plan.kept(), "recentDev")).startsWith("Harbor rules[1]:");
        assertThat(names(plan.removals())).containsExactly("oldRelease");
    }

    @Test
    void repositorySelectorsSeeThePathWithinTheProjectAndOtherRepositoriesAreLeftAlone() {
        Rule webOnly = Rule.of(Template.LATEST_PUSHED_K, 1, RepositorySelector.matching("app/*"), ALL_TAGS_AND_UNTAGGED);
        RetentionPlan plan = plan(List.of(webOnly),
                image("team/app/web", "web-old", NOW.minus(Duration.ofDays(2)), null, "1"),
                image("team/app/web", "web-new", NOW.minus(Duration.ofDays(1)), null, "2"),
                image("team/lib", "lib-old", NOW.minus(Duration.ofDays(2)), null, "1"),
                image("team/lib", "lib-new", NOW.minus(Duration.ofDays(1)), null, "2"));
        assertThat(names(plan.removals())).containsExactly("web-old");
        assertThat(decidedBy(plan.kept(), "lib-old")).isEqualTo("Harbor: repository in the scope of no rule");
    }

    @Test
    void repoExcludesTakesEveryRepositoryButThoseNamed() {
        Rule notSandbox = Rule.of(Template.LATEST_PUSHED_K, 1, RepositorySelector.excluding("sandbox/**"), ALL_TAGS_AND_UNTAGGED);
        RetentionPlan plan = plan(List.of(notSandbox),
                image("team/sandbox/x", "s-old", NOW.minus(Duration.ofDays(2)), null),
                image("team/sandbox/x", "s-new", NOW.minus(Duration.ofDays(1)), null),
                image("team/app", "a-old", NOW.minus(Duration.ofDays(2)), null),
                image("team/app", "a-new", NOW.minus(Duration.ofDays(1)), null));
        assertThat(names(plan.removals())).containsExactly("a-old");
    }

    @Test
    void countsArePerRepository() {
        RetentionPlan plan = plan(List.of(everywhere(Template.LATEST_PUSHED_K, 1)),
                image("team/a", "a-old", NOW.minus(Duration.ofDays(2)), null), image("team/a", "a-new", NOW.minus(Duration.ofDays(1)), null),
                image("team/b", "b-old", NOW.minus(Duration.ofDays(9)), null), image("team/b", "b-new", NOW.minus(Duration.ofDays(8)), null));
        assertThat(names(plan.kept())).containsExactly("a-new", "b-new");
    }

    @Test
    void aDisabledRuleNeitherRetainsNorBringsARepositoryIntoScope() {
        Rule disabled = new Rule(true, Template.ALWAYS, 0, RepositorySelector.ALL, ALL_TAGS_AND_UNTAGGED);
        Rule webOnly = Rule.of(Template.LATEST_PUSHED_K, 1, RepositorySelector.matching("web"), ALL_TAGS_AND_UNTAGGED);
        RetentionPlan plan = plan(List.of(disabled, webOnly),
                image("team/web", "web-old", NOW.minus(Duration.ofDays(2)), null), image("team/web", "web-new", NOW.minus(Duration.ofDays(1)), null),
                image("team/lib", "lib-old", NOW.minus(Duration.ofDays(2)), null));
        assertThat(names(plan.removals())).containsExactly("web-old");
        assertThat(names(plan.kept())).containsExactly("lib-old", "web-new");
    }

    @Test
    void aPolicyWithoutRulesRemovesNothing() {
        RetentionPlan plan = plan(List.of(), pushedDaysAgo("a", 1000, "v1"), pushedDaysAgo("b", 1000));
        assertThat(plan.removals()).isEmpty();
        assertThat(plan.kept()).hasSize(2);
    }

    @Test
    void protectedImagesAreNeverRemoved() {
        ImageCandidate immutable = pushedDaysAgo("immutable", 400, "v1.0");
        RetentionPlan plan = new HarborRetentionPolicy(List.of(everywhere(Template.LATEST_PUSHED_K, 1)))
                .plan(List.of(immutable, pushedDaysAgo("new", 1, "main"), pushedDaysAgo("old", 50, "dev")), NOW, immutable::equals);
        assertThat(names(plan.removals())).containsExactly("old");
        assertThat(decidedBy(plan.kept(), "immutable")).isEqualTo("protected against: Harbor: retained by no rule");
    }

    @Test
    void equalPushTimesAreOrderedByDigestSoTheSmallerDigestCountsAsNewer() {
        ImageCandidate x = image(REPOSITORY, "x", NOW.minus(Duration.ofDays(1)), null, "v1");
        ImageCandidate y = image(REPOSITORY, "y", NOW.minus(Duration.ofDays(1)), null, "v2");
        ImageCandidate smaller = x.digest().compareTo(y.digest()) < 0 ? x : y;
        RetentionPlan plan = plan(List.of(everywhere(Template.LATEST_PUSHED_K, 1)), x, y);
        assertThat(plan.kept()).extracting(RetentionDecision::candidate).containsExactly(smaller);
    }

    // --- tag selectors on images ---

    @Test
    void matchesTakesAnImageWhenAnyOfItsTagsMatches() {
        TagSelector releases = TagSelector.matching("v*");
        assertThat(releases.selectsImage(java.util.Set.of("latest", "v1"))).isTrue();
        assertThat(releases.selectsImage(java.util.Set.of("latest", "main"))).isFalse();
    }

    @Test
    void excludesTakesAnImageWhenAnyOfItsTagsIsNotExcluded() {
        TagSelector notReleases = TagSelector.excluding("v*");
        assertThat(notReleases.selectsImage(java.util.Set.of("latest", "v1"))).isTrue();
        assertThat(notReleases.selectsImage(java.util.Set.of("v1", "v1.0"))).isFalse();
    }

    @Test
    void theUntaggedFlagFollowsTheDecoration() {
        assertThat(TagSelector.matching("**").selectsImage(Collections.emptySet())).isFalse();
        assertThat(TagSelector.matching("**").withUntagged(true).selectsImage(Collections.emptySet())).isTrue();
        assertThat(TagSelector.excluding("v*").selectsImage(Collections.emptySet())).isTrue();
        assertThat(TagSelector.excluding("v*").withUntagged(true).selectsImage(Collections.emptySet())).isFalse();
    }

    @Test
    void untaggedImagesAreRemovedWhenNoRuleTakesThem() {
        Rule taggedOnly = Rule.of(Template.ALWAYS, 0, RepositorySelector.ALL, TagSelector.matching("**"));
        RetentionPlan plan = plan(List.of(taggedOnly), pushedDaysAgo("tagged", 1, "v1"), pushedDaysAgo("untagged", 1));
        assertThat(names(plan.removals())).containsExactly("untagged");
    }

    // --- the JSON form ---

    @Test
    void acceptsHarborsApiShape() {
        HarborRetentionPolicy policy = HarborRetentionPolicy.parse("""
                {"algorithm":"or","rules":[
                  {"id":1,"priority":1,"disabled":false,"action":"retain","template":"latestPushedK","params":{"latestPushedK":10},
                   "tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"**","extras":"{\\"untagged\\":true}"}],
                   "scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]}},
                  {"template":"always",
                   "tag_selectors":[{"decoration":"excludes","pattern":"tmp-*","untagged":true}],
                   "scope_selectors":{"repository":[{"decoration":"repoExcludes","pattern":"sandbox/**"}]}}]}""");
        assertThat(policy.rules()).extracting(Rule::describe).containsExactly(
                "latestPushedK 10 (repositories matching \"**\", tags matching \"**\" and untagged)",
                "always (repositories excluding \"sandbox/**\", tags excluding \"tmp-*\" and untagged)");
    }

    @Test
    void withoutAnUntaggedFlagUntaggedImagesAreSelectedAsInHarbor() {
        String scope = "\"scope_selectors\":{\"repository\":[{\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}";
        HarborRetentionPolicy matching = HarborRetentionPolicy.parse("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":"
                + "[{\"decoration\":\"matches\",\"pattern\":\"**\"}]," + scope + "}]}");
        HarborRetentionPolicy excluding = HarborRetentionPolicy.parse("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":"
                + "[{\"decoration\":\"excludes\",\"pattern\":\"v*\"}]," + scope + "}]}");
        assertThat(matching.rules().get(0).tags().selectsImage(Collections.emptySet())).isTrue();
        assertThat(excluding.rules().get(0).tags().selectsImage(Collections.emptySet())).isTrue();
    }

    private static String rule(String template, String params) {
        return "{\"template\":\"" + template + "\"" + (params == null ? "" : ",\"params\":" + params)
                + ",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\"}]"
                + ",\"scope_selectors\":{\"repository\":[{\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}}";
    }

    static Stream<Arguments> invalidPolicies() {
        String tags = "\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\"}]";
        String scope = "\"scope_selectors\":{\"repository\":[{\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}";
        return Stream.of(
                Arguments.of("{\"rules\":[" + rule("latestPushedK", "{\"latestPushedK\":0}") + "]}",
                        "rules[0].params.latestPushedK: must be a positive integer"),
                Arguments.of("{\"rules\":[" + rule("always", null) + "," + rule("nDaysSinceLastPull", "{\"nDaysSinceLastPull\":-3}") + "]}",
                        "rules[1].params.nDaysSinceLastPull: must be a positive integer"),
                Arguments.of("{\"rules\":[" + rule("latestPulledN", "{\"latestPulledN\":2.5}") + "]}",
                        "rules[0].params.latestPulledN: must be a positive integer"),
                Arguments.of("{\"rules\":[" + rule("latestPushedK", null) + "]}", "rules[0].params: required"),
                Arguments.of("{\"rules\":[" + rule("latestPushedK", "{}") + "]}", "rules[0].params.latestPushedK: required"),
                Arguments.of("{\"rules\":[" + rule("latestPushedK", "{\"latestPulledN\":3}") + "]}",
                        "rules[0].params.latestPulledN: unknown field (allowed: latestPushedK)"),
                Arguments.of("{\"rules\":[" + rule("always", "{\"always\":1}") + "]}",
                        "rules[0].params: always takes no parameter"),
                Arguments.of("{\"rules\":[" + rule("keepAll", null) + "]}",
                        "rules[0].template: must be one of latestPushedK, latestPulledN, nDaysSinceLastPush, nDaysSinceLastPull, always"),
                Arguments.of("{\"rules\":[{\"template\":\"always\"," + scope + "}]}", "rules[0].tag_selectors: required"),
                Arguments.of("{\"rules\":[{\"template\":\"always\"," + tags + "}]}", "rules[0].scope_selectors: required"),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"action\":\"delete\"," + tags + "," + scope + "}]}",
                        "rules[0].action: must be \"retain\""),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"disabled\":\"no\"," + tags + "," + scope + "}]}",
                        "rules[0].disabled: must be true or false"),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"trigger\":{}," + tags + "," + scope + "}]}",
                        "rules[0].trigger: unknown field"),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\"},"
                        + "{\"decoration\":\"matches\",\"pattern\":\"v*\"}]," + scope + "}]}",
                        "rules[0].tag_selectors: must hold exactly one selector"),
                Arguments.of("{\"rules\":[{\"template\":\"always\"," + tags + ",\"scope_selectors\":{\"repository\":"
                        + "[{\"decoration\":\"matches\",\"pattern\":\"**\"}]}}]}",
                        "rules[0].scope_selectors.repository[0].decoration: must be \"repoMatches\" or \"repoExcludes\""),
                Arguments.of("{\"rules\":[{\"template\":\"always\"," + tags + ",\"scope_selectors\":{\"repository\":"
                        + "[{\"decoration\":\"repoMatches\",\"pattern\":\"{a,b\"}]}}]}",
                        "rules[0].scope_selectors.repository[0].pattern: unclosed '{' at character 1 of \"{a,b\""),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\","
                        + "\"untagged\":true,\"extras\":\"{}\"}]," + scope + "}]}",
                        "rules[0].tag_selectors[0].extras: give untagged or extras, not both"),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\","
                        + "\"extras\":\"{\\\"labels\\\":[]}\"}]," + scope + "}]}",
                        "rules[0].tag_selectors[0].extras.labels: unknown field (allowed: untagged)"),
                Arguments.of("{\"rules\":[{\"template\":\"always\",\"tag_selectors\":[{\"decoration\":\"matches\",\"pattern\":\"**\","
                        + "\"extras\":\"untagged\"}]," + scope + "}]}",
                        "rules[0].tag_selectors[0].extras: must hold a JSON object such as {\"untagged\":true}"),
                Arguments.of("{\"algorithm\":\"and\",\"rules\":[]}", "algorithm: must be \"or\""),
                Arguments.of("{\"rules\":[" + String.join(",", Collections.nCopies(16, rule("always", null))) + "]}",
                        "rules: at most 15 rules"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidPolicies")
    void invalidPoliciesAreRefusedNamingTheField(String json, String message) {
        assertThatThrownBy(() -> HarborRetentionPolicy.parse(json))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(message);
    }
}
