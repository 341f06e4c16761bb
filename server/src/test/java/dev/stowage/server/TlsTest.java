package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPS from PEM files: serving, streaming blobs, picking up a renewed certificate, and mutual TLS. */
class TlsTest {
    @TempDir Path root;
    JdbcMetadataStore metadata;
    RegistryServer server;

    RegistryServer start(TlsSettings tls) throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        server = RegistryServer.start(new ServerSettings("127.0.0.1", 0, 0, 16384, Optional.of(tls), NetworkPolicy.OPEN), service,
                AccessController.OPEN);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (metadata != null) metadata.close();
    }

    HttpClient client(TestCertificates certs, boolean withClientCert) throws Exception {
        return HttpClient.newBuilder().sslContext(certs.clientContext(withClientCert)).version(HttpClient.Version.HTTP_1_1).build();
    }

    String serverCommonName(TestCertificates certs) throws Exception {
        try (SSLSocket socket = (SSLSocket) certs.clientContext(false).getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.startHandshake();
            X509Certificate cert = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return cert.getSubjectX500Principal().getName();
        }
    }

    @Test
    void servesTheApiOverHttpsAndStreamsBlobs() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(false));
        HttpClient https = client(certs, false);
        String base = "https://127.0.0.1:" + server.port();
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        byte[] blob = new byte[3 << 20];
        new Random(3).nextBytes(blob);
        Digest digest = Digest.sha256Of(blob);
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/v2/tls/blobs/uploads/?digest=" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(201);
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/v2/tls/blobs/" + digest)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(blob);
    }

    @Test
    void aRenewedCertificateIsUsedWithoutARestart() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(false));
        assertThat(serverCommonName(certs)).isEqualTo("CN=server-1");
        certs.issue("server", "server-2", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String seen = serverCommonName(certs);
        while (!seen.equals("CN=server-2") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            seen = serverCommonName(certs);
        }
        assertThat(seen).isEqualTo("CN=server-2");
    }

    @Test
    void mutualTlsRefusesClientsWithoutACertificate() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(true));
        URI uri = URI.create("https://127.0.0.1:" + server.port() + "/v2/");
        assertThat(client(certs, true).send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> client(certs, false).send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    /** Waits until the watcher has looked at the files twice, so at least one full check saw the current files. */
    void awaitTlsChecks() throws InterruptedException {
        long before = server.tlsChecks();
        while (server.tlsChecks() < before + 2) Thread.sleep(50);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aCertificateReplacedWithoutItsKeyLeavesTheOldPairServingUntilTheKeyFollows() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(false));
        certs.issueCertificateOnly("server", "server-2", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        awaitTlsChecks();
        assertThat(serverCommonName(certs)).isEqualTo("CN=server-1");
        certs.installPendingKey("server");
        awaitTlsChecks();
        assertThat(serverCommonName(certs)).isEqualTo("CN=server-2");
    }

    @Test
    void aCertificateAndKeyThatDoNotMatchRefuseToStartWithOneLine() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        TlsSettings mismatched = new TlsSettings(certs.dir.resolve("server.crt"), certs.dir.resolve("client.key"),
                Optional.empty(), false);
        assertThatThrownBy(() -> start(mismatched))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS: the certificate " + certs.dir.resolve("server.crt") + " does not belong to the private key "
                        + certs.dir.resolve("client.key") + " (their public keys differ); install the key the certificate was"
                        + " issued for");
    }

    @Test
    void aChainInTheWrongOrderRefusesToStart() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        java.nio.file.Path chain = certs.dir.resolve("reversed.crt");
        java.nio.file.Files.writeString(chain, java.nio.file.Files.readString(certs.dir.resolve("ca.crt"))
                + java.nio.file.Files.readString(certs.dir.resolve("server.crt")));
        assertThatThrownBy(() -> start(new TlsSettings(chain, certs.dir.resolve("server.key"), Optional.empty(), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TLS: the certificate " + chain + " does not belong to the private key");
    }

    @Test
    void plainHttpSentToTheTlsPortIsAnswered400SayingToUseHttps() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(false));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: registry.example.com:5000\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n");
            assertThat(answer).containsIgnoringCase("connection: close\r\n");
            assertThat(answer).endsWith("\r\n\r\nthis port speaks HTTPS; use https://registry.example.com:5000/v2/\n");
        }
    }

    @Test
    void mutualTlsStillWorksWithThePlainHttpDetection() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        start(certs.serverSettings(true));
        URI uri = URI.create("https://127.0.0.1:" + server.port() + "/v2/");
        HttpClient client = client(certs, true);
        for (int i = 0; i < 3; i++) {
            assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aChainWhoseSecondCertificateDidNotSignTheFirstRefusesToStart() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        java.nio.file.Path chain = certs.dir.resolve("broken-chain.crt");
        java.nio.file.Files.writeString(chain, java.nio.file.Files.readString(certs.dir.resolve("server.crt"))
                + java.nio.file.Files.readString(certs.dir.resolve("client.crt")));
        assertThatThrownBy(() -> start(new TlsSettings(chain, certs.dir.resolve("server.key"), Optional.empty(), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS: in " + chain + ", certificate 1 (CN=server-1) is not signed by certificate 2 (CN=ci-robot);"
                        + " the chain must be the server's certificate first, then each issuer in turn");
    }

    @Test
    void aCertificateExpiringWithinTwoWeeksIsNoticedAndOneFurtherOffIsNot() throws Exception {
        TestCertificates certs = new TestCertificates(java.nio.file.Files.createDirectories(root.resolve("certs")));
        TlsMaterial material = TlsMaterial.load(certs.dir.resolve("server.crt"), certs.dir.resolve("server.key"), Optional.empty());
        java.time.Instant notAfter = material.chain()[0].getNotAfter().toInstant();
        assertThat(material.expiresSoon(notAfter.minus(Duration.ofDays(13)))).hasValue(notAfter);
        assertThat(material.expiresSoon(notAfter.minus(Duration.ofDays(15)))).isEmpty();
    }
}
