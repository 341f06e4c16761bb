package dev.stowage.core.governance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
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

class EcrLifecyclePolicyTest {

    private static String policy(String... rules) {
        return "{\"rules\":[" + String.join(",", rules) + "]}";
    }

    private static String rule(int priority, String selection) {
        return "{\"rulePriority\":" + priority + ",\"selection\":{" + selection + "},\"action\":{\"type\":\"expire\"}}";
    }

    private static RetentionPlan plan(String policyJson, ImageCandidate... images) {
        return EcrLifecyclePolicy.parse(policyJson).plan(List.of(images), NOW, image -> false);
    }

    // --- evaluation ---

    @Test
    void imageCountMoreThanKeepsTheMostRecentlyPushedOfTheImagesItSelects() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":2""")),
                pushedDaysAgo("p1", 5, "prod-1"), pushedDaysAgo("p2", 4, "prod-2"), pushedDaysAgo("p3", 3, "prod-3"),
                pushedDaysAgo("dev", 9, "dev-1"));
        assertThat(names(plan.removals())).containsExactly("p1");
        assertThat(decidedBy(plan.removals(), "p1"))
                .isEqualTo("ECR rule priority 1: imageCountMoreThan 2 (tagPrefixList [\"prod\"])");
        assertThat(names(plan.kept())).containsExactly("p3", "p2", "dev");
        assertThat(decidedBy(plan.kept(), "dev")).isEqualTo("ECR: selected by no rule");
        assertThat(decidedBy(plan.kept(), "p3")).isEqualTo("ECR rule priority 1: imageCountMoreThan 2 (tagPrefixList [\"prod\"])");
    }

    @Test
    void sinceImagePushedExpiresImagesPushedMoreThanNDaysAgo() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":14""")),
                pushedDaysAgo("old", 15, "a"), pushedDaysAgo("exactly14", 14), pushedDaysAgo("new", 1, "b"));
        assertThat(names(plan.removals())).containsExactly("old");
        assertThat(decidedBy(plan.removals(), "old")).isEqualTo("ECR rule priority 1: sinceImagePushed 14 days (any)");
    }

    @Test
    void sinceImagePulledUsesTheLastPullAndThePushForImagesNeverPulled() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":30""")),
                pulledDaysAgo(pushedDaysAgo("oldButPulled", 100, "a"), 2),
                pulledDaysAgo(pushedDaysAgo("pulledLongAgo", 100, "b"), 31),
                pushedDaysAgo("neverPulledOld", 40, "c"),
                pushedDaysAgo("neverPulledNew", 10, "d"));
        assertThat(names(plan.removals())).containsExactlyInAnyOrder("pulledLongAgo", "neverPulledOld");
    }

    @Test
    void untaggedRulesSelectOnlyUntaggedImages() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1""")),
                pushedDaysAgo("u1", 3), pushedDaysAgo("u2", 2), pushedDaysAgo("tagged", 9, "v1"));
        assertThat(names(plan.removals())).containsExactly("u1");
        assertThat(decidedBy(plan.removals(), "u1")).isEqualTo("ECR rule priority 1: imageCountMoreThan 1 (untagged)");
    }

    @Test
    void tagPatternListSelectsImagesOnWhichEveryPatternMatchesSomeTag() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"tagged","tagPatternList":["prod*","*-beta"],"countType":"imageCountMoreThan","countNumber":1""")),
                pushedDaysAgo("both", 5, "prod-1", "2-beta"), pushedDaysAgo("bothNewer", 1, "prod-2", "3-beta", "x"),
                pushedDaysAgo("prodOnly", 9, "prod-0"), pushedDaysAgo("betaOnly", 9, "1-beta"));
        assertThat(names(plan.removals())).containsExactly("both");
    }

    @Test
    void tagPrefixListSelectsImagesOnWhichEveryPrefixStartsSomeTag() {
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"tagged","tagPrefixList":["prod","v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1""")),
                pushedDaysAgo("both", 5, "prod", "v1"), pushedDaysAgo("prodOnly", 5, "prod-x"));
        assertThat(names(plan.removals())).containsExactly("both");
    }

    @Test
    void anImageWithManyTagsIsSelectedThroughAnyOneOfThem() {
        String[] tags = Stream.concat(Stream.iterate(0, i -> i + 1).limit(60).map(i -> "build-" + i), Stream.of("release"))
                .toArray(String[]::new);
        RetentionPlan plan = plan(policy(rule(1, """
                        "tagStatus":"tagged","tagPatternList":["rel*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1""")),
                pushedDaysAgo("many", 5, tags));
        assertThat(names(plan.removals())).containsExactly("many");
    }

    /** The ECR documentation's "Example A" of filtering on multiple rules. */
    @Test
    void anImageSelectedByAHigherPriorityRuleCannotBeExpiredByALowerOne() {
        RetentionPlan plan = plan(policy(
                        rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"prod*\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1"),
                        rule(2, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"beta*\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")),
                pushedDaysAgo("A", 10, "beta-1", "prod-1"), pushedDaysAgo("B", 9, "beta-2", "prod-2"),
                pushedDaysAgo("C", 8, "beta-3"));
        assertThat(names(plan.removals())).containsExactly("A");
        assertThat(decidedBy(plan.removals(), "A")).startsWith("ECR rule priority 1:");
        assertThat(decidedBy(plan.kept(), "B")).startsWith("ECR rule priority 1:");
        assertThat(decidedBy(plan.kept(), "C")).startsWith("ECR rule priority 2:");
    }

    /** As in the documentation's example, where rule 2 "marks both Image A and Image B" though rule 1 selected A. */
    @Test
    void lowerPriorityRulesCountTheImagesHigherRulesSelected() {
        RetentionPlan plan = plan(policy(
                        rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"prod*\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1"),
                        rule(2, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"beta*\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")),
                pushedDaysAgo("prodAndBeta", 1, "prod-1", "beta-1"), pushedDaysAgo("betaOnly", 2, "beta-2"));
        assertThat(names(plan.removals())).containsExactly("betaOnly");
        assertThat(decidedBy(plan.removals(), "betaOnly")).startsWith("ECR rule priority 2:");
    }

    @Test
    void rulesApplyInPriorityOrderWhateverTheirOrderInTheDocument() {
        RetentionPlan plan = plan(policy(
                        rule(20, "\"tagStatus\":\"any\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":30"),
                        rule(10, "\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"prod\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")),
                pushedDaysAgo("oldProd", 90, "prod-1"), pushedDaysAgo("olderProd", 95, "prod-0"),
                pushedDaysAgo("oldDev", 90, "dev-1"), pushedDaysAgo("newDev", 3, "dev-2"));
        assertThat(names(plan.removals())).containsExactly("oldDev", "olderProd");
        assertThat(decidedBy(plan.removals(), "olderProd")).startsWith("ECR rule priority 10:");
        assertThat(decidedBy(plan.removals(), "oldDev")).startsWith("ECR rule priority 20:");
        assertThat(decidedBy(plan.kept(), "oldProd")).startsWith("ECR rule priority 10:");
    }

    @Test
    void equalPushTimesAreOrderedByDigestSoTheSmallerDigestCountsAsNewer() {
        ImageCandidate x = image(REPOSITORY, "x", NOW.minus(Duration.ofDays(1)), null, "v1");
        ImageCandidate y = image(REPOSITORY, "y", NOW.minus(Duration.ofDays(1)), null, "v2");
        ImageCandidate smaller = x.digest().compareTo(y.digest()) < 0 ? x : y;
        ImageCandidate larger = smaller == x ? y : x;
        RetentionPlan plan = plan(policy(rule(1,
                "\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"v\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")), larger, smaller);
        assertThat(plan.kept()).extracting(RetentionDecision::candidate).containsExactly(smaller);
        assertThat(plan.removals()).extracting(RetentionDecision::candidate).containsExactly(larger);
    }

    @Test
    void countsArePerRepository() {
        RetentionPlan plan = plan(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":1")),
                image("team/a", "a-old", NOW.minus(Duration.ofDays(2)), null), image("team/a", "a-new", NOW.minus(Duration.ofDays(1)), null),
                image("team/b", "b-old", NOW.minus(Duration.ofDays(9)), null), image("team/b", "b-new", NOW.minus(Duration.ofDays(8)), null));
        assertThat(names(plan.removals())).containsExactly("a-old", "b-old");
        assertThat(names(plan.kept())).containsExactly("a-new", "b-new");
    }

    @Test
    void protectedImagesAreKeptButStillCounted() {
        ImageCandidate newestProtected = pushedDaysAgo("newestProtected", 1, "v3");
        ImageCandidate oldProtected = pushedDaysAgo("oldProtected", 5, "v1");
        RetentionPlan plan = EcrLifecyclePolicy.parse(policy(rule(1,
                        "\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"v\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")))
                .plan(List.of(newestProtected, pushedDaysAgo("middle", 3, "v2"), oldProtected), NOW,
                        image -> image.equals(newestProtected) || image.equals(oldProtected));
        assertThat(names(plan.removals())).containsExactly("middle");
        assertThat(decidedBy(plan.kept(), "oldProtected"))
                .isEqualTo("protected against: ECR rule priority 1: imageCountMoreThan 1 (tagPrefixList [\"v\"])");
        assertThat(decidedBy(plan.kept(), "newestProtected")).isEqualTo("ECR rule priority 1: imageCountMoreThan 1 (tagPrefixList [\"v\"])");
    }

    @Test
    void aPolicyWithoutRulesRemovesNothing() {
        RetentionPlan plan = plan("{\"rules\":[]}", pushedDaysAgo("a", 1000, "v1"), pushedDaysAgo("b", 1000));
        assertThat(plan.removals()).isEmpty();
        assertThat(names(plan.kept())).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void noCandidatesGiveAnEmptyPlan() {
        RetentionPlan plan = plan(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":1")));
        assertThat(plan.removals()).isEmpty();
        assertThat(plan.kept()).isEmpty();
    }

    @Test
    void aCandidateListedTwiceIsRefused() {
        ImageCandidate image = pushedDaysAgo("a", 1);
        assertThatThrownBy(() -> plan("{\"rules\":[]}", image, image))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("candidate listed twice: team/app@sha256:");
    }

    // --- validation ---

    @Test
    void acceptsEcrsDocumentVerbatim() {
        EcrLifecyclePolicy policy = EcrLifecyclePolicy.parse("""
                {
                  "rules": [
                    {
                      "rulePriority": 1,
                      "description": "Expire images older than 14 days",
                      "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["prod*"],
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 14,
                        "storageClass": "standard"
                      },
                      "action": { "type": "expire" }
                    },
                    {
                      "rulePriority": 2,
                      "description": "Keep only one untagged image, expire all others",
                      "selection": { "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1 },
                      "action": { "type": "expire" }
                    }
                  ]
                }""");
        assertThat(policy.rules()).extracting(EcrLifecyclePolicy.Rule::describe).containsExactly(
                "ECR rule priority 1: sinceImagePushed 14 days (tagPatternList [\"prod*\"])",
                "ECR rule priority 2: imageCountMoreThan 1 (untagged)");
        assertThat(policy.rules().get(0).description()).isEqualTo("Expire images older than 14 days");
    }

    static Stream<Arguments> invalidPolicies() {
        String count = "\"countType\":\"imageCountMoreThan\",\"countNumber\":1";
        return Stream.of(
                Arguments.of("not json", "not valid JSON: unexpected character at line 1 column 4"),
                Arguments.of("{}", "rules: required"),
                Arguments.of("{\"rules\":{}}", "rules: must be an array"),
                Arguments.of("{\"rules\":[],\"version\":1}", "version: unknown field (allowed: rules)"),
                Arguments.of(policy("{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\"," + count + "},\"action\":{\"type\":\"expire\"},\"x\":1}"),
                        "rules[0].x: unknown field (allowed: action, description, rulePriority, selection)"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"tagPrefix\":[\"a\"]," + count)),
                        "rules[0].selection.tagPrefix: unknown field (allowed: countNumber, countType, countUnit, storageClass,"
                                + " tagPatternList, tagPrefixList, tagStatus)"),
                Arguments.of(policy(rule(0, "\"tagStatus\":\"any\"," + count)), "rules[0].rulePriority: must be a positive integer"),
                Arguments.of(policy("{\"rulePriority\":\"1\",\"selection\":{\"tagStatus\":\"any\"," + count + "},\"action\":{\"type\":\"expire\"}}"),
                        "rules[0].rulePriority: must be a positive integer"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"untagged\"," + count), rule(1, "\"tagStatus\":\"any\"," + count)),
                        "rules[1].rulePriority: 1 is also the rulePriority of rules[0]; priorities must be unique"),
                Arguments.of(policy(rule(2, "\"tagStatus\":\"any\"," + count), rule(5, "\"tagStatus\":\"untagged\"," + count)),
                        "rules[0].rulePriority: a rule with tagStatus any must have the highest rulePriority (2 is below 5)"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"some\"," + count)),
                        "rules[0].selection.tagStatus: must be one of tagged, untagged, any"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\"," + count)),
                        "rules[0].selection: tagStatus tagged needs tagPatternList or tagPrefixList"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"a*\"],\"tagPrefixList\":[\"a\"]," + count)),
                        "rules[0].selection: give tagPatternList or tagPrefixList, not both"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"untagged\",\"tagPrefixList\":[\"a\"]," + count)),
                        "rules[0].selection.tagPrefixList: only allowed when tagStatus is tagged, not untagged"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[]," + count)),
                        "rules[0].selection.tagPatternList: must not be empty"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"a\",\"*1*2*3*4*\"]," + count)),
                        "rules[0].selection.tagPatternList[1]: at most 4 wildcards (*) per pattern"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"a/b\"]," + count)),
                        "rules[0].selection.tagPatternList[0]: must be 1 to 255 of the characters of a tag (A-Z a-z 0-9 _ . -) and *"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"tagged\",\"tagPrefixList\":[\"\"]," + count)),
                        "rules[0].selection.tagPrefixList[0]: must be a non-empty prefix of a tag (A-Z a-z 0-9 _ . -)"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\"," + count), rule(2,
                                "\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countNumber\":3")),
                        "rules[1].selection.countUnit: required when countType is sinceImagePushed"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"countUnit\":\"days\"," + count)),
                        "rules[0].selection.countUnit: not allowed when countType is imageCountMoreThan"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"sinceImagePulled\",\"countUnit\":\"hours\",\"countNumber\":3")),
                        "rules[0].selection.countUnit: must be days"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":0")),
                        "rules[0].selection.countNumber: must be a positive integer"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\"")),
                        "rules[0].selection.countNumber: required"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"countType\":\"sinceImageTransitioned\",\"countUnit\":\"days\",\"countNumber\":3")),
                        "rules[0].selection.countType: sinceImageTransitioned is not supported (Stowage has no archive storage class)"),
                Arguments.of(policy(rule(1, "\"tagStatus\":\"any\",\"storageClass\":\"archive\"," + count)),
                        "rules[0].selection.storageClass: must be standard (Stowage has no archive storage class)"),
                Arguments.of(policy("{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\"," + count + "},\"action\":{\"type\":\"transition\"}}"),
                        "rules[0].action.type: must be expire (Stowage has no archive storage class to transition to)"),
                Arguments.of(policy("{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\"," + count + "}}"),
                        "rules[0].action: required"),
                Arguments.of("{\"rules\":[],\"rules\":[]}", "not valid JSON: duplicate field 'rules'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidPolicies")
    void invalidPoliciesAreRefusedNamingTheField(String json, String message) {
        assertThatThrownBy(() -> EcrLifecyclePolicy.parse(json))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void fourWildcardsInAPatternAreAllowed() {
        EcrLifecyclePolicy policy = EcrLifecyclePolicy.parse(policy(rule(1,
                "\"tagStatus\":\"tagged\",\"tagPatternList\":[\"*test*1*2*3\",\"test*1*2*3*\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":1")));
        assertThat(policy.rules()).hasSize(1);
    }
}
