package dev.stowage.trust;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.TestDatabases;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.metadata.PostgresServer;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.Signer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The trust store on the embedded SQLite database and on a real PostgreSQL. */
class TrustStoreTest {
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
    private static final Digest SIG = Digest.sha256Of("sig".getBytes(StandardCharsets.UTF_8));

    private TrustStore open(String database) throws Exception {
        return JdbcTrustStore.migrated(databases.open(database));
    }

    @AfterEach
    void close() {
        databases.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyPolicyChangeRaisesItsVersion(String database) throws Exception {
        TrustStore store = open(database);
        assertThat(store.policy("team")).isEmpty();
        assertThat(store.putPolicy("team", "{\"enforcement\":\"audit\"}", T0).version()).isEqualTo(1);
        TrustStore.StoredPolicy second = store.putPolicy("team", "{\"enforcement\":\"enforce\"}", T0.plusSeconds(1));
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.document()).isEqualTo("{\"enforcement\":\"enforce\"}");
        assertThat(second.updatedAt()).isEqualTo(T0.plusSeconds(1));
        store.putPolicy("other", "{}", T0);
        assertThat(store.policies()).containsOnlyKeys("team", "other");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void rootsChangesRaiseTheGeneration(String database) throws Exception {
        TrustStore store = open(database);
        assertThat(store.rootsGeneration()).isZero();
        store.putRoot("public-good", "{\"mediaType\":\"x\"}", T0);
        store.putRoot("public-good", "{\"mediaType\":\"y\"}", T0.plusSeconds(1));
        assertThat(store.rootsGeneration()).isEqualTo(2);
        assertThat(store.roots()).singleElement().satisfies(r -> {
            assertThat(r.document()).isEqualTo("{\"mediaType\":\"y\"}");
            assertThat(r.installedAt()).isEqualTo(T0.plusSeconds(1));
        });
        assertThat(store.deleteRoot("absent")).isFalse();
        assertThat(store.rootsGeneration()).isEqualTo(2);
        assertThat(store.deleteRoot("public-good")).isTrue();
        assertThat(store.rootsGeneration()).isEqualTo(3);
        assertThat(store.roots()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void resultsKeepEveryCheckAndAreFoundByTheArtifactsTheyCite(String database) throws Exception {
        TrustStore store = open(database);
        SignatureCheck verified = SignatureCheck.verified(SignatureKind.COSIGN, SIG,
                new Signer("ab12", Optional.of("CN=ci"), Optional.empty(), Optional.of("https://issuer"),
                        Optional.of("ci@example.com")), "ci", Optional.of(T0), "verified with key ci");
        SignatureCheck failed = SignatureCheck.failed(SignatureKind.IN_TOTO, SIG, Optional.empty(), "key not in the policy");
        store.putResult(new VerificationResult(REPO, A, VerificationResult.Status.VERIFIED, List.of(verified, failed), 3, 1, T0));
        store.putResult(new VerificationResult(REPO, B, VerificationResult.Status.UNSIGNED, List.of(), 3, 1, T0));
        store.putResult(new VerificationResult(RepositoryName.of("other/app"), A, VerificationResult.Status.UNSIGNED,
                List.of(), 1, 1, T0));

        VerificationResult read = store.result(REPO, A).orElseThrow();
        assertThat(read.checks()).containsExactly(verified, failed);
        assertThat(read.status()).isEqualTo(VerificationResult.Status.VERIFIED);
        assertThat(read.policyVersion()).isEqualTo(3);
        assertThat(store.resultsCiting(REPO, SIG, 10)).containsExactly(A);
        assertThat(store.results(Optional.of("team"), Optional.empty(), 10)).extracting(TrustStore.ResultKey::manifest)
                .containsExactlyInAnyOrder(A, B);
        List<TrustStore.ResultKey> first = store.results(Optional.empty(), Optional.empty(), 2);
        List<TrustStore.ResultKey> rest = store.results(Optional.empty(), Optional.of(first.getLast()), 2);
        assertThat(first.size() + rest.size()).isEqualTo(3);

        store.putResult(new VerificationResult(REPO, A, VerificationResult.Status.UNVERIFIED, List.of(failed), 4, 1, T0));
        assertThat(store.result(REPO, A).orElseThrow().status()).isEqualTo(VerificationResult.Status.UNVERIFIED);
        store.deleteResult(REPO, A);
        assertThat(store.result(REPO, A)).isEmpty();
    }
}
