package dev.stowage.core.event;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryEventTest {
    @Test
    void aPushNamesItsProjectRepositoryDigestAndTag() {
        Digest digest = Digest.sha256Of("m".getBytes(StandardCharsets.UTF_8));
        RegistryEvent e = RegistryEvent.pushed(RepositoryName.of("team/app/web"), digest, Tag.of("v1"),
                "application/vnd.oci.image.manifest.v1+json", "alice");
        assertThat(e.type()).isEqualTo(RegistryEvent.Type.PUSH);
        assertThat(e.project()).isEqualTo("team");
        assertThat(e.repository()).isEqualTo("team/app/web");
        assertThat(e.digest()).isEqualTo(digest.toString());
        assertThat(e.tag()).isEqualTo("v1");
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(UUID.fromString(e.id()).version()).isEqualTo(7);
    }

    @Test
    void aCollectionIsReportedToEachProjectWithItsOwnShare() {
        assertThat(RegistryEvent.gcCompleted("team", java.util.Map.of("manifestsDeleted", 3)).project()).isEqualTo("team");
        assertThat(RegistryEvent.quotaExceeded("team", dev.stowage.core.governance.QuotaVerdict.Dimension.STORAGE, 11, 10).data())
                .containsOnly(java.util.Map.entry("quota", "storage"), java.util.Map.entry("usedBytes", 11L),
                        java.util.Map.entry("limitBytes", 10L));
    }

    @Test
    void anArtifactQuotaEventReportsArtifactsNotBytes() {
        assertThat(RegistryEvent.quotaExceeded("team", dev.stowage.core.governance.QuotaVerdict.Dimension.ARTIFACTS, 9, 8).data())
                .containsOnly(java.util.Map.entry("quota", "artifacts"), java.util.Map.entry("usedArtifacts", 9L),
                        java.util.Map.entry("limitArtifacts", 8L));
    }

    @Test
    void typesParseFromNamesAndCloudEventTypes() {
        assertThat(RegistryEvent.Type.parse("push")).contains(RegistryEvent.Type.PUSH);
        assertThat(RegistryEvent.Type.parse("quota-warning")).contains(RegistryEvent.Type.QUOTA_WARNING);
        assertThat(RegistryEvent.Type.parse("dev.stowage.gc.completed")).contains(RegistryEvent.Type.GC_COMPLETED);
        assertThat(RegistryEvent.Type.parse("dev.stowage.nothing")).isEmpty();
        assertThat(RegistryEvent.Type.PUSH.cloudEventType()).isEqualTo("dev.stowage.artifact.pushed");
    }

    @Test
    void idsSortByCreationAndAreUnique() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) ids.add(TimeOrderedIds.next());
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(Long.parseLong(ids.getFirst().substring(0, 8) + ids.getFirst().substring(9, 13), 16))
                .isCloseTo(Instant.now().toEpochMilli(), org.assertj.core.data.Offset.offset(60_000L));
    }

    @Test
    void aWebhookNeverShowsItsSecret() {
        Webhook h = new Webhook("id", "team", "https://x.example/", EnumSet.of(RegistryEvent.Type.PUSH), "s3cr3t-value",
                true, Instant.EPOCH);
        assertThat(h.toString()).doesNotContain("s3cr3t-value");
        assertThat(h.wants(RegistryEvent.Type.PUSH, "team")).isTrue();
        assertThat(h.wants(RegistryEvent.Type.PUSH, null)).as("an event of no project is no project's").isFalse();
        assertThat(h.wants(RegistryEvent.Type.PUSH, "other")).isFalse();
        assertThat(h.wants(RegistryEvent.Type.PULL, "team")).isFalse();
    }
}
