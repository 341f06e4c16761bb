package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.TestDatabases;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.metadata.PostgresServer;
import dev.stowage.scanning.vuln.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The scanner's store on the embedded SQLite database and on a real PostgreSQL. */
class ScanStoreTest {
    @TempDir Path dir;

    @org.junit.jupiter.api.BeforeEach
    void databases() {
        databases = new TestDatabases(dir);
    }
    private TestDatabases databases;
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    private static final Digest A = Digest.sha256Of("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256Of("b".getBytes(StandardCharsets.UTF_8));

    private ScanStore open(String database) throws Exception {
        return JdbcScanStore.migrated(databases.open(database));
    }

    @AfterEach
    void close() {
        databases.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void importsRaiseTheGenerationOnlyWhenSomethingChanged(String database) throws Exception {
        ScanStore store = open(database);
        assertThat(store.generation().number()).isZero();
        store.putDocuments("Go", List.of(new ScanStore.VulnerabilityDocument("GO-1", T0, "h1", "{}".getBytes())), T0);
        assertThat(store.finishImport("Go", "file:Go.zip", T0, true, T0).number()).isEqualTo(1);
        assertThat(store.finishImport("Go", "file:Go.zip", T0, false, T0.plusSeconds(5)).number()).isEqualTo(1);
        assertThat(store.documentHashes("Go")).containsExactly(java.util.Map.entry("GO-1", "h1"));
        assertThat(store.sources()).singleElement().satisfies(s -> {
            assertThat(s.records()).isEqualTo(1);
            assertThat(s.importedAt()).isEqualTo(T0.plusSeconds(5));
        });
        store.removeDocuments("Go", List.of("GO-1"));
        assertThat(store.documentHashes("Go")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aJobIsClaimedByOneWorkerUntilItsLeaseEnds(String database) throws Exception {
        ScanStore store = open(database);
        assertThat(store.enqueue(REPO, A, "push", T0)).isTrue();
        assertThat(store.enqueue(REPO, A, "request", T0)).isFalse();
        ScanStore.Job job = store.claim(T0, Duration.ofMinutes(10)).orElseThrow();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(store.claim(T0.plusSeconds(60), Duration.ofMinutes(10))).isEmpty();
        ScanStore.Job again = store.claim(T0.plus(Duration.ofMinutes(11)), Duration.ofMinutes(10)).orElseThrow();
        assertThat(again.attempts()).isEqualTo(2);
        store.finish(job); // the first claim lapsed: its finish must not remove the job the second claim holds
        assertThat(store.queued()).isEqualTo(1);
        store.finish(again);
        assertThat(store.queued()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aQueuedRescanKeepsTheLastReportAndReMatchFindsReportsBehind(String database) throws Exception {
        ScanStore store = open(database);
        store.putInventory(A, new byte[]{1}, T0);
        store.putReport(new ScanStore.StoredReport(A, REPO, ScanStore.Status.COMPLETED, "stowage", 1,
                new ScanStore.SeverityCounts(1, 2, 3, 4, 5), Optional.of(new byte[]{9}), "", T0));
        store.putReport(new ScanStore.StoredReport(B, REPO, ScanStore.Status.COMPLETED, "stowage", 1,
                ScanStore.SeverityCounts.NONE, Optional.of(new byte[]{8}), "", T0));
        store.markStatus(REPO, A, ScanStore.Status.QUEUED, T0.plusSeconds(1));
        ScanStore.StoredReport a = store.report(A).orElseThrow();
        assertThat(a.status()).isEqualTo(ScanStore.Status.QUEUED);
        assertThat(a.report()).contains(new byte[]{9});
        assertThat(a.counts().total()).isEqualTo(15);
        assertThat(store.reportsBehind(2, Optional.empty(), 10)).containsExactly(
                new ScanStore.Behind(REPO, B, false));
        store.markStatus(REPO, B, ScanStore.Status.COMPLETED, T0);
        List<ScanStore.Behind> both = store.reportsBehind(2, Optional.empty(), 10);
        assertThat(both).hasSize(1);
        store.putReport(new ScanStore.StoredReport(A, REPO, ScanStore.Status.COMPLETED, "stowage", 1,
                ScanStore.SeverityCounts.NONE, Optional.of(new byte[]{9}), "", T0));
        assertThat(store.reportsBehind(2, Optional.empty(), 10)).extracting(ScanStore.Behind::manifest)
                .containsExactlyElementsOf(A.toString().compareTo(B.toString()) < 0 ? List.of(A, B) : List.of(B, A));
        assertThat(store.claimRematch(T0, Duration.ofMinutes(1))).isTrue();
        assertThat(store.claimRematch(T0.plusSeconds(1), Duration.ofMinutes(1))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void policiesAndAllowlistsArePerProjectWithASystemWideList(String database) throws Exception {
        ScanStore store = open(database);
        assertThat(store.policy("team")).isEmpty();
        store.putPolicy("team", new ProjectScanPolicy(false, Optional.of(Severity.HIGH), true), T0);
        assertThat(store.policies()).containsEntry("team", new ProjectScanPolicy(false, Optional.of(Severity.HIGH), true));
        store.replaceAllowlist("", List.of(new AllowlistEntry("CVE-2021-44228", Optional.of(T0), "until the fix")));
        store.replaceAllowlist("team", List.of(new AllowlistEntry("GHSA-x", Optional.empty(), "")));
        assertThat(store.allowlist("")).extracting(AllowlistEntry::vulnerability).containsExactly("CVE-2021-44228");
        assertThat(store.allowlist("team")).singleElement().satisfies(e -> assertThat(e.expiresAt()).isEmpty());
        store.replaceAllowlist("team", List.of());
        assertThat(store.allowlist("team")).isEmpty();
    }
}
