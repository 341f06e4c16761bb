package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.service.RetentionRunner;
import dev.stowage.metadata.JdbcGovernanceStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.core.access.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Retention runs against a live registry: what goes, what stays and why. */
class RetentionTest {
    static final String OCI = "application/vnd.oci.image.manifest.v1+json";
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    @TempDir Path root;
    TestRegistry registry;
    JdbcGovernanceStore governance;
    ImmutableTagPolicy immutability;
    RetentionRunner retention;
    int seq;

    @BeforeEach
    void start() throws Exception {
        registry = new TestRegistry(root);
        new JdbcIdentityStore(registry.metadata).createProject(new Project("team", false, Instant.now()));
        governance = new JdbcGovernanceStore(registry.metadata);
        immutability = new ImmutableTagPolicy(governance, registry.metadata);
        retention = new RetentionRunner(registry.service, governance, immutability);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    /** Pushes an image (one config blob) as {@code reference}; a subject makes it a referrer. */
    Digest push(String repo, String reference, Digest subject) throws Exception {
        byte[] config = ("{\"n\":" + (seq++) + "}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.pushBlob(repo, config);
        String subjectJson = subject == null ? "" : ",\"subject\":{\"mediaType\":\"" + OCI + "\",\"digest\":\"" + subject
                + "\",\"size\":1}";
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[]" + subjectJson + "}").getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256Of(manifest);
        HttpResponse<byte[]> put = registry.put("/v2/" + repo + "/manifests/" + (reference == null ? digest : reference),
                OCI, manifest);
        assertThat(put.statusCode()).as(TestRegistry.text(put)).isEqualTo(201);
        Thread.sleep(5); // distinct push times, in order
        return digest;
    }

    int status(String path) throws Exception {
        return registry.head(path).statusCode();
    }

    @Test
    void anEcrPolicyKeepsTheNewestAndTakesSignaturesOfWhatItRemoves() throws Exception {
        Digest b1 = push("team/app", "build-1", null);
        Digest signature = push("team/app", null, b1);
        push("team/app", "build-2", null);
        push("team/app", "build-3", null);
        push("team/app", "release", null);
        String policy = "{\"rules\":[{\"rulePriority\":1,\"description\":\"builds\",\"selection\":{\"tagStatus\":\"tagged\","
                + "\"tagPrefixList\":[\"build-\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":2},"
                + "\"action\":{\"type\":\"expire\"}}]}";
        RetentionRunner.Report dry = retention.run("team", RetentionRunner.parse("ecr", policy), true);
        assertThat(dry.removed()).extracting(RetentionRunner.Outcome::tags).containsExactly(List.of("build-1"));
        assertThat(dry.removed().getFirst().decidedBy()).contains("priority 1");
        assertThat(status("/v2/team/app/manifests/build-1")).isEqualTo(200);

        RetentionRunner.Report real = retention.run("team", RetentionRunner.parse("ecr", policy), false);
        assertThat(real.removed()).hasSize(1);
        assertThat(real.referrersRemoved()).isEqualTo(1);
        assertThat(status("/v2/team/app/manifests/build-1")).isEqualTo(404);
        assertThat(status("/v2/team/app/manifests/" + b1)).isEqualTo(404);
        assertThat(status("/v2/team/app/manifests/" + signature)).isEqualTo(404);
        for (String kept : List.of("build-2", "build-3", "release")) {
            assertThat(status("/v2/team/app/manifests/" + kept)).as(kept).isEqualTo(200);
        }
    }

    @Test
    void cosignSignatureTagsAreNoImagesOfTheirOwnAndGoWithTheImageTheyName() throws Exception {
        Digest b1 = push("team/app", "build-1", null);
        String companion = "sha256-" + b1.hex() + ".sig";
        Digest signature = push("team/app", companion, null);
        push("team/app", "build-2", null);
        String policy = "{\"rules\":[{\"rulePriority\":1,\"description\":\"newest\",\"selection\":{\"tagStatus\":"
                + "\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}";

        RetentionRunner.Report real = retention.run("team", RetentionRunner.parse("ecr", policy), false);

        assertThat(real.removed()).extracting(RetentionRunner.Outcome::tags).containsExactly(List.of("build-1"));
        assertThat(real.referrersRemoved()).isEqualTo(1);
        assertThat(status("/v2/team/app/manifests/" + companion)).isEqualTo(404);
        assertThat(status("/v2/team/app/manifests/" + signature)).isEqualTo(404);
        assertThat(status("/v2/team/app/manifests/build-2")).isEqualTo(200);
    }

    @Test
    void harborRulesKeepWhatAnyRuleRetainsAndNeverAnImmutableTagsImage() throws Exception {
        push("team/app", "v1", null);
        push("team/app", "v2", null);
        push("team/app", "dev-1", null);
        push("team/app", "dev-2", null);
        immutability.addRule("team", "{\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\",\"decoration\":"
                + "\"repoMatches\",\"pattern\":\"**\"}]},\"tag_selectors\":[{\"kind\":\"doublestar\",\"decoration\":"
                + "\"matches\",\"pattern\":\"v1\"}]}");
        String policy = "{\"rules\":[{\"template\":\"latestPushedK\",\"params\":{\"latestPushedK\":1},\"tag_selectors\":["
                + "{\"kind\":\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"**\"}],\"scope_selectors\":{\"repository\":"
                + "[{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}},{\"template\":\"always\","
                + "\"tag_selectors\":[{\"kind\":\"doublestar\",\"decoration\":\"matches\",\"pattern\":\"v*\"}],"
                + "\"scope_selectors\":{\"repository\":[{\"kind\":\"doublestar\",\"decoration\":\"repoMatches\",\"pattern\":\"**\"}]}}]}";
        RetentionRunner.Report report = retention.run("team", RetentionRunner.parse("harbor", policy), false);
        assertThat(report.removed()).extracting(RetentionRunner.Outcome::tags).containsExactly(List.of("dev-1"));
        assertThat(status("/v2/team/app/manifests/dev-1")).isEqualTo(404);
        for (String kept : List.of("v1", "v2", "dev-2")) {
            assertThat(status("/v2/team/app/manifests/" + kept)).as(kept).isEqualTo(200);
        }
    }

    @Test
    void imagesAKeptIndexNeedsAreNotCandidatesAndImmutableImagesAreKept() throws Exception {
        Digest child = push("team/multi", null, null);
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[{\"mediaType\":\"" + OCI
                + "\",\"digest\":\"" + child + "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/team/multi/manifests/latest", INDEX, index).statusCode()).isEqualTo(201);
        push("team/multi", "old", null);
        String untagged = "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":"
                + "\"imageCountMoreThan\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}";
        RetentionRunner.Report report = retention.run("team", RetentionRunner.parse("ecr", untagged), false);
        assertThat(report.removed()).isEmpty();
        assertThat(status("/v2/team/multi/manifests/" + child)).isEqualTo(200);

        immutability.setMutability(RepositoryName.of("team/multi"), "{\"imageTagMutability\":\"IMMUTABLE\"}");
        String everything = "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\",\"countType\":"
                + "\"imageCountMoreThan\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}";
        RetentionRunner.Report protectedRun = retention.run("team", RetentionRunner.parse("ecr", everything), false);
        assertThat(protectedRun.removed()).isEmpty();
        assertThat(protectedRun.kept()).extracting(RetentionRunner.Outcome::decidedBy).anyMatch(d -> d.contains("protected"));
    }

    @Test
    void theStoredPolicyIsValidatedAndRunByProject() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> retention.setPolicy("team", "ecr",
                "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"tagged\",\"countType\":\"sinceImagePushed\","
                        + "\"countNumber\":3,\"tagPrefixList\":[\"x\"]},\"action\":{\"type\":\"expire\"}}]}", null))
                .hasMessageContaining("rules[0].selection.countUnit");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> retention.setPolicy("team", "harbor", "{\"rules\":[]}",
                "not cron")).hasMessageContaining("schedule");
        assertThat(retention.run("team", true)).isEmpty();
        retention.setPolicy("team", "harbor", "{\"rules\":[]}", "@daily");
        assertThat(retention.scheduled()).hasSize(1);
        assertThat(retention.run("team", true)).isPresent();
    }
}
