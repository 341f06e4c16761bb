package dev.stowage.scanning.external;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScannerAdapterClientTest {
    static final String DIGEST = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
    static final ScanTarget TARGET = new ScanTarget(URI.create("https://registry.example.com"), "team/app", DIGEST,
            Optional.of("1.0"), HarborMediaTypes.OCI_MANIFEST);
    static final RegistryCredential PULL_TOKEN = RegistryCredential.bearer("pull-only.jwt.token");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final FakeTime time = new FakeTime();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) c.close();
    }

    @Test
    void metadataGivesTheScannerAndItsCapabilities() throws Exception {
        SpecAdapter adapter = adapter(null, null);

        AdapterMetadata metadata = client(adapter, AdapterAuthentication.NONE).metadata();

        assertThat(metadata.name()).isEqualTo("Trivy");
        assertThat(metadata.vendor()).isEqualTo("Aqua Security");
        assertThat(metadata.version()).isEqualTo("0.50.1");
        assertThat(metadata.canScan(HarborMediaTypes.OCI_MANIFEST)).isTrue();
        assertThat(metadata.canScan(HarborMediaTypes.DOCKER_MANIFEST)).isTrue();
        assertThat(metadata.canScan("application/vnd.oci.image.index.v1+json")).isFalse();
        assertThat(metadata.properties()).containsEntry(
                "harbor.scanner-adapter/vulnerability-database-updated-at", "2023-02-08T08:16:33.345Z");
        assertThat(adapter.requestHeaders.get(0).get("Accept").get(0)).startsWith(HarborMediaTypes.METADATA);
    }

    @Test
    void bearerAuthenticationIsSentAsRegistered() throws Exception {
        SpecAdapter adapter = adapter("Authorization", "Bearer adapter-token");

        client(adapter, AdapterAuthentication.bearer("adapter-token")).metadata();

        assertThat(adapter.requestHeaders.get(0).get("Authorization")).containsExactly("Bearer adapter-token");
    }

    @Test
    void basicAuthenticationIsSentBase64EncodedAsHarborDoes() throws Exception {
        String encoded = Base64.getEncoder().encodeToString("stowage:pa55".getBytes(StandardCharsets.UTF_8));
        SpecAdapter adapter = adapter("Authorization", "Basic " + encoded);

        client(adapter, AdapterAuthentication.basic("stowage", "pa55")).metadata();

        assertThat(adapter.requestHeaders.get(0).get("Authorization")).containsExactly("Basic " + encoded);
    }

    @Test
    void apiKeyIsSentInTheScannerAdapterApiKeyHeader() throws Exception {
        SpecAdapter adapter = adapter("X-ScannerAdapter-API-Key", "k3y");

        client(adapter, AdapterAuthentication.apiKey("k3y")).metadata();

        assertThat(adapter.requestHeaders.get(0).get("X-scanneradapter-api-key")).containsExactly("k3y");
        assertThat(adapter.requestHeaders.get(0)).doesNotContainKey("Authorization");
    }

    @Test
    void refusedAuthenticationIsUnauthorizedWithoutTheSecretInTheMessage() throws Exception {
        SpecAdapter adapter = adapter("Authorization", "Bearer right");

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.bearer("wrong-secret")).metadata())
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.UNAUTHORIZED);
                    assertThat(e.status()).hasValue(401);
                    assertThat(e.getMessage()).contains("Bearer").doesNotContain("wrong-secret");
                });
    }

    @Test
    void scanRequestCarriesTheRegistryCredentialAndTheArtifact() throws Exception {
        SpecAdapter adapter = adapter(null, null);

        String id = client(adapter, AdapterAuthentication.NONE).requestScan(TARGET, PULL_TOKEN);

        assertThat(id).isEqualTo("3fa85f64-5717-4562-b3fc-2c963f66afa0");
        JsonNode request = adapter.scanRequests.get(0);
        assertThat(request.path("registry").path("url").asText()).isEqualTo("https://registry.example.com");
        assertThat(request.path("registry").path("authorization").asText()).isEqualTo("Bearer pull-only.jwt.token");
        assertThat(request.path("artifact").path("repository").asText()).isEqualTo("team/app");
        assertThat(request.path("artifact").path("digest").asText()).isEqualTo(DIGEST);
        assertThat(request.path("artifact").path("tag").asText()).isEqualTo("1.0");
        assertThat(request.path("artifact").path("mime_type").asText()).isEqualTo(HarborMediaTypes.OCI_MANIFEST);
        assertThat(adapter.requestHeaders.get(0).get("Content-type")).containsExactly(HarborMediaTypes.SCAN_REQUEST);
    }

    @Test
    void reportIsPolledWhileTheAdapterAnswers302WaitingRefreshAfter() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.pollsBeforeReady = 2;
        adapter.refreshAfter = "3";
        adapter.report = bullseyeReport();

        HarborReport report = client(adapter, AdapterAuthentication.NONE).scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60));

        assertThat(adapter.reportGets.get()).isEqualTo(3);
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
        assertThat(report.scannerName()).isEqualTo("Trivy");
        assertThat(report.artifactDigest()).isEqualTo(DIGEST);
        assertThat(report.generatedAt()).hasValue(Instant.parse("2023-02-20T10:15:42.123456789Z"));
        assertThat(report.vulnerabilities()).extracting(HarborReport.Vulnerability::id)
                .containsExactly("CVE-2023-0286", "CVE-2022-4450", "GHSA-h62f-wm92-2cmw", "CVE-2005-2541");
        HarborReport.Vulnerability first = report.vulnerabilities().get(0);
        assertThat(first.packageName()).isEqualTo("libssl1.1");
        assertThat(first.fixVersion()).hasValue("1.1.1n-0+deb11u4");
        assertThat(first.scoreV3()).hasValue(7.4);
        assertThat(first.vectorV2()).isEmpty();
        assertThat(first.layerDigest()).hasValueSatisfying(l -> assertThat(l).startsWith("sha256:1e4aec17"));
        assertThat(adapter.requestHeaders.get(1).get("Accept").get(0))
                .startsWith(HarborMediaTypes.VULNERABILITY_REPORT);
    }

    @Test
    void refreshAfterIsBoundedByTheClientSettings() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.pollsBeforeReady = -1;
        ScannerAdapterClient client = client(adapter, AdapterAuthentication.NONE);
        String id = client.requestScan(TARGET, PULL_TOKEN);

        adapter.refreshAfter = "86400";
        assertThat(client.fetchReport(id)).isEqualTo(new ReportPoll.Pending(Duration.ofSeconds(60)));
        adapter.refreshAfter = "0";
        assertThat(client.fetchReport(id)).isEqualTo(new ReportPoll.Pending(Duration.ofSeconds(1)));
        adapter.refreshAfter = "soon";
        assertThat(client.fetchReport(id)).isEqualTo(new ReportPoll.Pending(Duration.ofSeconds(5)));
    }

    @Test
    void aScanThatNeverFinishesStopsAtTheDeadline() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.pollsBeforeReady = -1;
        adapter.refreshAfter = "10";

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.TIMED_OUT);
                    assertThat(e.getMessage()).contains("no report for scan request", "2026-03-01T12:01:00Z");
                });
        // polls at 0, 10, ..., 60 s; the one at 60 s would have to wait past the deadline
        assertThat(adapter.reportGets.get()).isEqualTo(7);
        assertThat(time.sleeps).hasSize(6);
    }

    @Test
    void adapterErrorOnTheReportGivesTheAdaptersMessage() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.reportError = "failed to download vulnerability DB: context deadline exceeded";

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.ADAPTER_ERROR);
                    assertThat(e.status()).hasValue(500);
                    assertThat(e.getMessage()).endsWith(
                            "failed the report with 500: failed to download vulnerability DB: context deadline exceeded");
                });
    }

    @Test
    void scanRequestRefusedWith422GivesTheAdaptersMessage() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.scanRequestError = "unsupported artifact";

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).requestScan(TARGET, PULL_TOKEN))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.ADAPTER_ERROR);
                    assertThat(e.status()).hasValue(422);
                    assertThat(e.getMessage()).endsWith("failed the scan request with 422: unsupported artifact")
                            .doesNotContain("pull-only.jwt.token");
                });
    }

    @Test
    void aReportOfAnotherMimeTypeIsAProtocolViolation() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.report = bullseyeReport();
        adapter.reportContentType = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.PROTOCOL_VIOLATION);
                    assertThat(e.status()).hasValue(200);
                    assertThat(e.getMessage()).contains("Content-Type 'application/vnd.scanner.adapter.vuln.report"
                            + ".harbor+json; version=1.0', expected '" + HarborMediaTypes.VULNERABILITY_REPORT + "'");
                });
    }

    @Test
    void mimeTypeParametersMatchWhateverTheirSpacingAndQuoting() {
        assertThat(HarborMediaTypes.same("application/vnd.security.vulnerability.report;version=\"1.1\"",
                HarborMediaTypes.VULNERABILITY_REPORT)).isTrue();
        assertThat(HarborMediaTypes.same("application/vnd.security.vulnerability.report; version=1.0",
                HarborMediaTypes.VULNERABILITY_REPORT)).isFalse();
        assertThat(HarborMediaTypes.same("application/json", HarborMediaTypes.VULNERABILITY_REPORT)).isFalse();
    }

    @Test
    void aReportAboutAnotherDigestIsRefused() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.report = bullseyeReport().replace(DIGEST, "sha256:" + "0".repeat(64));

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e ->
                        assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.PROTOCOL_VIOLATION));
    }

    @Test
    void anUnknownScanIdIsUnknownScan() throws Exception {
        SpecAdapter adapter = adapter(null, null);

        assertThatThrownBy(() -> client(adapter, AdapterAuthentication.NONE).fetchReport("no-such-scan"))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.UNKNOWN_SCAN);
                    assertThat(e.status()).hasValue(404);
                });
    }

    @Test
    void aReportOverTheSizeBoundIsRefused() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.report = bullseyeReport();
        ScannerAdapterClient.Settings small = new ScannerAdapterClient.Settings(Duration.ofSeconds(5),
                Duration.ofSeconds(10), 1024, 1024, Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(5), false);
        ScannerAdapterClient client = track(new ScannerAdapterClient(registration(adapter, AdapterAuthentication.NONE),
                small, time.clock(), time::sleep));

        assertThatThrownBy(() -> client.scan(TARGET, PULL_TOKEN, NOW.plusSeconds(60)))
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.RESPONSE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("over 1024 bytes");
                });
    }

    @Test
    void anAdapterThatNeverAnswersIsBoundedByTheRequestTimeout() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.hang = true;
        ScannerAdapterClient.Settings impatient = new ScannerAdapterClient.Settings(Duration.ofSeconds(5),
                Duration.ofMillis(300), 1 << 20, 1 << 20, Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(5), false);
        ScannerAdapterClient client = track(new ScannerAdapterClient(registration(adapter, AdapterAuthentication.NONE),
                impatient, time.clock(), time::sleep));

        assertThatThrownBy(client::metadata)
                .isInstanceOfSatisfying(ScannerAdapterException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.UNREACHABLE);
                    assertThat(e.getMessage()).contains("within PT0.3S");
                });
    }

    @Test
    void anAdapterNobodyListensForIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ScannerAdapterClient client = track(new ScannerAdapterClient(new ScannerAdapterRegistration("gone",
                URI.create("http://127.0.0.1:" + port), AdapterAuthentication.NONE),
                ScannerAdapterClient.Settings.defaults(), time.clock(), time::sleep));

        assertThatThrownBy(client::metadata).isInstanceOfSatisfying(ScannerAdapterException.class, e ->
                assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.UNREACHABLE));
    }

    @Test
    void skippingTlsVerificationIsRefusedUnlessAllowed() {
        ScannerAdapterRegistration insecure = new ScannerAdapterRegistration("trivy",
                URI.create("https://trivy.internal:8443"), AdapterAuthentication.NONE, true);

        assertThatThrownBy(() -> new ScannerAdapterClient(insecure, ScannerAdapterClient.Settings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scanner adapter 'trivy' asks to skip TLS verification, which is not allowed: give the"
                        + " adapter a trusted certificate, or allow it explicitly in the scanning settings");
        new ScannerAdapterClient(insecure, ScannerAdapterClient.Settings.defaults().withAllowSkipTlsVerify(true)).close();
    }

    @Test
    void aSelfSignedAdapterIsRefusedUnlessTlsVerificationIsSkippedExplicitly(@TempDir Path dir) throws Exception {
        SpecAdapter adapter = track(new SpecAdapter(null, null, selfSignedTls(dir)));
        ScannerAdapterClient verifying = track(new ScannerAdapterClient(
                new ScannerAdapterRegistration("trivy", adapter.url(), AdapterAuthentication.NONE),
                ScannerAdapterClient.Settings.defaults(), time.clock(), time::sleep));
        ScannerAdapterClient skipping = track(new ScannerAdapterClient(
                new ScannerAdapterRegistration("trivy", adapter.url(), AdapterAuthentication.NONE, true),
                ScannerAdapterClient.Settings.defaults().withAllowSkipTlsVerify(true), time.clock(), time::sleep));

        assertThatThrownBy(verifying::metadata).isInstanceOfSatisfying(ScannerAdapterException.class, e ->
                assertThat(e.reason()).isEqualTo(ScannerAdapterException.Reason.UNREACHABLE));
        // the certificate is for another host too: skipping verification skips the host name check as well
        assertThat(skipping.metadata().name()).isEqualTo("Trivy");
    }

    /** A key pair and self-signed certificate for a host that is not 127.0.0.1, made by this JDK's keytool. */
    private static SSLContext selfSignedTls(Path dir) throws Exception {
        Path keystore = dir.resolve("adapter.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "adapter", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=scanner.invalid", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        return tls;
    }

    @Test
    void registrationRefusesCredentialsInTheUrlAndHidesItsSecret() {
        assertThatThrownBy(() -> new ScannerAdapterRegistration("trivy", URI.create("http://u:p@trivy:8080"),
                AdapterAuthentication.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("u:p");
        assertThatThrownBy(() -> new AdapterAuthentication(AdapterAuthentication.Scheme.BEARER, ""))
                .hasMessage("Bearer authentication needs a secret");
        assertThatThrownBy(() -> new AdapterAuthentication(AdapterAuthentication.Scheme.API_KEY, "a\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AdapterAuthentication.bearer("t0ken").toString()).doesNotContain("t0ken");
        assertThat(PULL_TOKEN.toString()).doesNotContain("pull-only");
        assertThat(AdapterAuthentication.Scheme.ofHarborName("x-scanneradapter-api-key"))
                .isEqualTo(AdapterAuthentication.Scheme.API_KEY);
    }

    static String bullseyeReport() throws IOException {
        try (InputStream in = ScannerAdapterClientTest.class.getResourceAsStream("/external/bullseye-report.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private SpecAdapter adapter(String authHeader, String authValue) throws IOException {
        return track(new SpecAdapter(authHeader, authValue));
    }

    private ScannerAdapterClient client(SpecAdapter adapter, AdapterAuthentication auth) {
        return track(new ScannerAdapterClient(registration(adapter, auth), ScannerAdapterClient.Settings.defaults(),
                time.clock(), time::sleep));
    }

    private static ScannerAdapterRegistration registration(SpecAdapter adapter, AdapterAuthentication auth) {
        return new ScannerAdapterRegistration("trivy", adapter.url(), auth);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    /** A clock that moves only when the client sleeps. */
    private static final class FakeTime {
        final List<Duration> sleeps = new ArrayList<>();
        private Instant now = NOW;

        Clock clock() {
            return new Clock() {
                @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
                @Override public Clock withZone(java.time.ZoneId zone) { return this; }
                @Override public Instant instant() { return now; }
            };
        }

        void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }
    }
}
