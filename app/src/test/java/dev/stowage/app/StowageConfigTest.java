package dev.stowage.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StowageConfigTest {
    @TempDir Path dir;

    @Test
    void defaultsServePort5000WithDataUnderTheWorkingDirectory() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of());
        assertThat(config.http().port()).isEqualTo(5000);
        assertThat(config.storagePath()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:sqlite:" + Path.of("data").toAbsolutePath().resolve("stowage.db"));
        assertThat(config.uploadExpiry()).isEqualTo(Duration.ofHours(24));
        assertThat(config.delete().enabled()).isTrue();
        assertThat(config.auth().enabled()).isTrue();
        assertThat(config.tls().enabled()).isFalse();
    }

    @Test
    void fileOverridesDefaultsAndEnvironmentOverridesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("stowage.yaml"), """
                http:
                  port: 6000
                uploads:
                  expiry: 30m
                database:
                  url: jdbc:postgresql://db/stowage
                """);
        StowageConfig config = StowageConfig.load(file, Map.of("STOWAGE_HTTP_PORT", "7000",
                "STOWAGE_DATABASE_MAX_POOL_SIZE", "12", "UNRELATED", "x"));
        assertThat(config.http().port()).isEqualTo(7000);
        assertThat(config.uploadExpiry()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.database().maxPoolSize()).isEqualTo(12);
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db/stowage");
        assertThat(config.tagCacheTtl()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void signInBoundsDefaultToHalfTheCoresAQueueOf64AndFiveFailures() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of());
        assertThat(config.credentialSettings()).isEqualTo(new dev.stowage.identity.CredentialVerifier.Settings(
                Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 64, Duration.ofSeconds(60)));
        assertThat(config.loginThrottle()).isEqualTo(dev.stowage.identity.LoginThrottle.Settings.DEFAULTS);
    }

    @Test
    void signInBoundsComeFromTheEnvironmentAndNegativeOnesAreRefused() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_AUTH_HASH_THREADS", "3", "STOWAGE_AUTH_HASH_QUEUE", "8",
                "STOWAGE_AUTH_CREDENTIAL_CACHE", "0s", "STOWAGE_AUTH_FAILURE_LIMIT", "10",
                "STOWAGE_AUTH_ADDRESS_FAILURE_LIMIT", "0", "STOWAGE_AUTH_FAILURE_BACKOFF_MAX", "1m"));
        assertThat(config.credentialSettings()).isEqualTo(new dev.stowage.identity.CredentialVerifier.Settings(3, 8, Duration.ZERO));
        assertThat(config.loginThrottle()).isEqualTo(new dev.stowage.identity.LoginThrottle.Settings(10, 0, Duration.ofMinutes(1)));
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_AUTH_HASH_QUEUE", "-1")))
                .hasMessageContaining("auth.hashQueue");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_AUTH_FAILURE_BACKOFF_MAX", "later")))
                .hasMessageContaining("auth.failureBackoffMax");
    }

    @Test
    void connectionsTimeOutAndAreCappedByDefault() throws Exception {
        var connections = StowageConfig.load(null, Map.of()).http().connections();
        assertThat(connections.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(connections.headerTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(connections.bodyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(connections.maxConnections()).isZero(); // derived from the file-descriptor limit
        assertThat(connections.maxConnectionsPerAddress()).isEqualTo(1000);
    }

    @Test
    void connectionSettingsComeFromTheEnvironment() throws Exception {
        var connections = StowageConfig.load(null, Map.of("STOWAGE_HTTP_IDLE_TIMEOUT", "5s",
                "STOWAGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "0")).http().connections();
        assertThat(connections.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(connections.maxConnectionsPerAddress()).isZero();
    }

    @Test
    void aZeroTimeoutIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_HEADER_TIMEOUT", "0s")))
                .hasMessageContaining("http.headerTimeout");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_BODY_TIMEOUT", "never")))
                .hasMessageContaining("http.bodyTimeout");
    }

    @Test
    void unknownSettingInTheFileIsAnErrorNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "http:\n  prot: 1\n");
        assertThatThrownBy(() -> StowageConfig.load(file, Map.of())).hasMessageContaining("prot");
    }

    @Test
    void badDurationIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_UPLOADS_EXPIRY", "soon")))
                .hasMessageContaining("uploads.expiry");
    }

    @Test
    void passwordIsNeverPrinted() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_DATABASE_PASSWORD", "hunter2",
                "STOWAGE_OIDC_CLIENT_SECRET", "oidc-client-secret"));
        assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("oidc-client-secret");
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertThat(StowageConfig.parseDuration("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(StowageConfig.parseDuration("7d", "x")).isEqualTo(Duration.ofDays(7));
        assertThat(StowageConfig.parseDuration("PT2H", "x")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void webhooksReachNoInternalNetworkUnlessTheAdministratorAllowsOne() throws Exception {
        assertThat(StowageConfig.load(null, Map.of()).webhookSettings().allowedNetworks()).isEmpty();
        assertThat(StowageConfig.load(null, Map.of("STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "10.0.0.0/8, 127.0.0.1/32"))
                .webhookSettings().allowedNetworks()).hasSize(2);
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "intranet")))
                .hasMessageContaining("webhooks.allowedNetworks");
    }

    @Test
    void admissionChecksImagesOfThisRegistryEnforcingAndAdmitsNoExternalOneByDefault() throws Exception {
        StowageConfig defaults = StowageConfig.load(null, Map.of("STOWAGE_HTTP_PORT", "5443"));
        assertThat(defaults.admission().registryHosts(defaults.http()))
                .contains("localhost:5443", "127.0.0.1:5443");
        assertThat(defaults.admission().externalRegistryHosts()).isEmpty();
        assertThat(defaults.admission().enforce()).isTrue();
        assertThat(defaults.admission().maxImages()).isEqualTo(1000);

        StowageConfig named = StowageConfig.load(null, Map.of("STOWAGE_HTTP_PUBLIC_ADDRESS", "registry.example.com"));
        assertThat(named.admission().registryHosts(named.http())).containsExactly("registry.example.com");
        StowageConfig set = StowageConfig.load(null, Map.of("STOWAGE_ADMISSION_REGISTRIES", "Reg.Example.com, reg.example.com:5000",
                "STOWAGE_ADMISSION_ALLOWED_EXTERNAL_REGISTRIES", "docker.io,quay.io", "STOWAGE_ADMISSION_MODE", "audit"));
        assertThat(set.admission().registryHosts(set.http()))
                .containsExactly("reg.example.com", "reg.example.com:5000");
        assertThat(set.admission().externalRegistryHosts()).containsExactly("docker.io", "quay.io");
        assertThat(set.admission().enforce()).isFalse();
    }

    @Test
    void badAdmissionSettingsAreErrorsNamingThem() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_ADMISSION_MODE", "warn")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admission.mode must be enforce or audit, not 'warn'");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_ADMISSION_REGISTRIES", "https://reg.example.com")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admission.registries: 'https://reg.example.com' is not a registry host");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_ADMISSION_ALLOWED_EXTERNAL_REGISTRIES", "docker.io/library")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admission.allowedExternalRegistries:");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_ADMISSION_MAX_IMAGES", "0")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admission.maxImages must be from 1 to 100000");
    }

    @Test
    void auditCheckpointsDefaultToFiveMinutesAThousandRecordsAndAKeyUnderTheStoragePath() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_STORAGE_PATH", "/srv/stowage"));
        assertThat(config.auditCheckpointInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.audit().checkpointRecords()).isEqualTo(1000);
        assertThat(config.auditCheckpointKeyFile()).isEqualTo(java.nio.file.Path.of("/srv/stowage/audit-checkpoint.key"));
        assertThat(StowageConfig.load(null, Map.of("STOWAGE_AUDIT_CHECKPOINT_KEY_FILE", "/etc/stowage/audit.key"))
                .auditCheckpointKeyFile()).isEqualTo(java.nio.file.Path.of("/etc/stowage/audit.key"));
    }

    @Test
    void badAuditCheckpointSettingsAreErrorsNamingThem() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_AUDIT_CHECKPOINT_INTERVAL", "often")))
                .hasMessageStartingWith("audit.checkpointInterval must be a duration from 1s");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_AUDIT_CHECKPOINT_RECORDS", "0")))
                .hasMessageStartingWith("audit.checkpointRecords must be at least 1, not 0");
    }

    @Test
    void trustedProxiesAreCidrsAndAMalformedOneIsNamed() throws Exception {
        assertThat(StowageConfig.load(null, Map.of("STOWAGE_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10"))
                .http().trustedProxyNetworks()).containsExactly("10.0.0.0/8", "192.0.2.10");
        assertThat(StowageConfig.load(null, Map.of()).http().trustedProxyNetworks()).isEmpty();
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_TRUSTED_PROXIES", "10.0.0.0/8,lb.internal")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("http.trustedProxies: 'lb.internal' is not a network (write CIDRs such as 10.0.0.0/8 or"
                        + " 192.0.2.10/32, comma-separated)");
    }

    @Test
    void theKeyPasswordComesFromTheEnvironmentOrTheFirstLineOfAFileButNotBoth() throws Exception {
        assertThat(StowageConfig.load(null, Map.of("STOWAGE_TLS_KEY_PASSWORD", "s3cret")).tls().password()).hasValue("s3cret");
        Path file = Files.writeString(dir.resolve("key.pass"), "from-file\n");
        assertThat(StowageConfig.load(null, Map.of("STOWAGE_TLS_KEY_PASSWORD_FILE", file.toString())).tls().password())
                .hasValue("from-file");
        assertThat(StowageConfig.load(null, Map.of()).tls().password()).isEmpty();
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_TLS_KEY_PASSWORD", "a",
                "STOWAGE_TLS_KEY_PASSWORD_FILE", file.toString())))
                .hasMessage("tls.keyPassword and tls.keyPasswordFile are both set; keep one of them");
    }

    @Test
    void theKeyPasswordIsNeverShownInTheConfiguration() throws Exception {
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_TLS_KEY_PASSWORD", "s3cret"));
        assertThat(config.toString()).doesNotContain("s3cret").contains("keyPassword=(set)");
    }

    @Test
    void unknownSettingInTheFileSuggestsTheNearestKnownOne() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "http:\n  prot: 1\n");
        assertThatThrownBy(() -> StowageConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": unknown setting 'http.prot' (did you mean 'http.port'?)");
    }

    @Test
    void unknownSectionInTheFileSuggestsTheNearestSection() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "storrage:\n  path: /x\n");
        assertThatThrownBy(() -> StowageConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": unknown setting 'storrage' (did you mean 'storage'?)");
    }

    @Test
    void aMissingConfigurationFileIsAnErrorNamingIt() {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> StowageConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("configuration file " + file + " does not exist (check the --config path)");
    }

    @Test
    void malformedYamlIsAnErrorNamingTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "http:\n  port: 1\n bad: [\n");
        assertThatThrownBy(() -> StowageConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + " line ").hasMessageContaining("is not valid YAML");
    }

    @Test
    void aBadNumberIsAnErrorNamingTheSettingAndWhatItMustBe() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_PORT", "five")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.port must be a whole number, not 'five' (set http.port or STOWAGE_HTTP_PORT to a whole number)");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_DELETE_ENABLED", "sometimes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delete.enabled must be true or false");
    }

    @Test
    void aBadDurationIsAConfigurationError() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_UPLOADS_EXPIRY", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("uploads.expiry must be a duration");
    }

    @Test
    void aBadNetworkIsAnErrorNamingIt() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_NETWORK_ALLOW", "10.0.0.0/8, office")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("network.allow: 'office' is not an IP network (write comma-separated CIDRs such as 10.0.0.0/8,192.168.1.0/24)");
    }

    @Test
    void aMissingTlsFileIsAnErrorNamingTheSetting() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        Path certificate = dir.resolve("missing.pem");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_TLS_CERTIFICATE", certificate.toString(),
                "STOWAGE_TLS_KEY", key.toString()))).isInstanceOf(ConfigException.class)
                .hasMessage("tls.certificate: " + certificate + " does not exist (check the path in tls.certificate)");
    }

    @Test
    void anUnknownStowageVariableIsWarnedAboutWithTheNearestName() throws Exception {
        List<String> warnings = new ArrayList<>();
        StowageConfig.load(null, Map.of("STOWAGE_HTTP_PROT", "6000", "STOWAGE_PASSWORD", "x", "STOWAGE_URL", "x",
                "STOWAGE_ADMIN_PASSWORD", "x", "STOWAGE_LOG_LEVEL", "DEBUG", "STOWAGE_SECRETS_KEY_FILE", "/k"), warnings::add);
        assertThat(warnings).containsExactly("warning: ignoring STOWAGE_HTTP_PROT: no such setting (did you mean STOWAGE_HTTP_PORT?)");
    }

    @Test
    void anUnknownStowageVariableFarFromEveryNameIsWarnedAboutWithoutAGuess() throws Exception {
        List<String> warnings = new ArrayList<>();
        StowageConfig.load(null, Map.of("STOWAGE_SOMETHING_ELSE_ENTIRELY", "1"), warnings::add);
        assertThat(warnings).containsExactly("warning: ignoring STOWAGE_SOMETHING_ELSE_ENTIRELY: no such setting");
    }

    @Test
    void theSecretsKeyMustBe32BytesAndIsNeverPrinted() throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_SECRETS_KEY", key));
        assertThat(config.secretsKey()).hasValueSatisfying(k -> assertThat(k).hasSize(32));
        assertThat(config.toString()).doesNotContain(key);
        assertThat(config.secretsKeyFile()).isEqualTo(config.storagePath().resolve("secret.key"));
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_SECRETS_KEY", "c2hvcnQ=")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("secrets.key must be the base64 of 32 bytes");
    }

    @Test
    void numbersOutOfTheirRangeAreErrorsNamingTheSetting() {
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_MAX_HEADER_BYTES", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.maxHeaderBytes must be from 1024 to 1048576, not -1");
        assertThatThrownBy(() -> StowageConfig.load(null, Map.of("STOWAGE_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.port must be 0-65535");
    }
}
