package dev.stowage.server;

import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The private-key PEM forms openssl, certbot and cert-manager write, each served over real TLS. */
class TlsKeyFormatsTest {
    @TempDir Path dir;
    JdbcMetadataStore metadata;
    RegistryServer server;

    @BeforeEach
    void needsOpenssl() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed to make test keys");
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (metadata != null) metadata.close();
    }

    @Test
    void pkcs1RsaKey() throws Exception {
        openssl("genrsa", "-traditional", "-out", "server.key", "2048");
        assertThat(Files.readString(dir.resolve("server.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertServes(Optional.empty());
    }

    @Test
    void sec1EcKeyWithItsParametersBlock() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "server.key");
        assertThat(Files.readString(dir.resolve("server.key"))).startsWith("-----BEGIN EC PARAMETERS-----")
                .contains("-----BEGIN EC PRIVATE KEY-----");
        assertServes(Optional.empty());
    }

    @Test
    void sec1EcKeyWithoutParameters() throws Exception {
        openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "server.key");
        assertThat(Files.readString(dir.resolve("server.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertServes(Optional.empty());
    }

    @Test
    void pkcs8Key() throws Exception {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "server.key");
        assertThat(Files.readString(dir.resolve("server.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertServes(Optional.empty());
    }

    @Test
    void encryptedPkcs8KeyWithItsPassword() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "plain.key");
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.key", "-passout", "pass:s3cret-pass", "-out", "server.key");
        assertThat(Files.readString(dir.resolve("server.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertServes(Optional.of("s3cret-pass"));
    }

    @Test
    void legacyOpensslEncryptedPkcs1KeyWithItsPassword() throws Exception {
        openssl("genrsa", "-traditional", "-aes256", "-passout", "pass:s3cret-pass", "-out", "server.key", "2048");
        assertThat(Files.readString(dir.resolve("server.key"))).contains("Proc-Type: 4,ENCRYPTED");
        assertServes(Optional.of("s3cret-pass"));
    }

    @Test
    void anEncryptedKeyWithAWrongPasswordRefusesToStartWithOneLine() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "plain.key");
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.key", "-passout", "pass:s3cret-pass", "-out", "server.key");
        selfSign();
        assertThatThrownBy(() -> start(Optional.of("wrong")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS: cannot decrypt the private key " + dir.resolve("server.key")
                        + " with the configured password; check tls.keyPassword (or tls.keyPasswordFile)");
    }

    @Test
    void anEncryptedKeyWithoutAPasswordRefusesToStartWithOneLine() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "plain.key");
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.key", "-passout", "pass:s3cret-pass", "-out", "server.key");
        selfSign();
        assertThatThrownBy(() -> start(Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS: the private key " + dir.resolve("server.key")
                        + " is encrypted; set tls.keyPassword (STOWAGE_TLS_KEY_PASSWORD) or tls.keyPasswordFile");
    }

    @Test
    void aFileWithoutAPrivateKeyRefusesToStartWithOneLine() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key");
        selfSign();
        Files.copy(dir.resolve("server.crt"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> start(Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS: " + dir.resolve("server.key") + " holds no private key (expected a PEM block such as"
                        + " BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY); point tls.key at the key file");
    }

    /** Self-signs server.key, starts the server with it and pulls /v2/ over TLS trusting only that certificate. */
    private void assertServes(Optional<String> password) throws Exception {
        selfSign();
        start(password);
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(dir.resolve("server.crt")))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.port() + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private void selfSign() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("req", "-x509", "-key", "server.key", "-out", "server.crt",
                "-days", "2", "-subj", "/CN=format-test", "-addext", "subjectAltName=IP:127.0.0.1"));
        if (Files.readString(dir.resolve("server.key")).contains("ENCRYPTED")) command.addAll(List.of("-passin", "pass:s3cret-pass"));
        openssl(command.toArray(String[]::new));
    }

    private void start(Optional<String> password) throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m.db"), "", "", 0));
        RegistryService service = new RegistryService(new FileSystemBlobStore(dir.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TlsSettings tls = new TlsSettings(dir.resolve("server.crt"), dir.resolve("server.key"), password, Optional.empty(), false);
        server = RegistryServer.start(new ServerSettings("127.0.0.1", 0, 0, 16384, Optional.of(tls), NetworkPolicy.OPEN),
                service, AccessController.OPEN);
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private void openssl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + "\n" + out);
    }
}
