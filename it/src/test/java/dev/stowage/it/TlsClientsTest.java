package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import dev.stowage.server.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** skopeo over HTTPS with certificate verification on, through the token flow. */
class TlsClientsTest {
    @TempDir static Path dir;
    static StowageProcess stowage;
    static Path caDir;
    static TestCertificates certs;

    @BeforeAll
    static void start() throws Exception {
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        certs = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
        caDir = Files.createDirectories(dir.resolve("trust"));
        Files.copy(certs.dir.resolve("ca.crt"), caDir.resolve("ca.crt"));
        stowage = StowageProcess.start(dir.resolve("data"), Map.of(
                "STOWAGE_TLS_CERTIFICATE", certs.dir.resolve("server.crt").toString(),
                "STOWAGE_TLS_KEY", certs.dir.resolve("server.key").toString(),
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", "tls-admin-secret",
                "STOWAGE_AUTH_CREATE_PROJECTS_ON_PUSH", "true")); // the project pushed to is created by the push
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    @Test
    void skopeoPushesAndPullsOverVerifiedTls() throws Exception {
        Path layout = dir.resolve("layout");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "over tls");
        String dest = "docker://" + stowage.hostPort() + "/secure/tls:v1";
        run(cmd("skopeo", "copy", "--dest-cert-dir", caDir.toString(), "--dest-creds", "admin:tls-admin-secret",
                "oci:" + layout + ":v1", dest)).ok();
        String inspect = run(cmd("skopeo", "inspect", "--cert-dir", caDir.toString(), "--creds", "admin:tls-admin-secret", dest))
                .ok().output();
        assertThat(inspect).contains(image.manifestDigest());
        var untrusted = run(cmd("skopeo", "inspect", "--creds", "admin:tls-admin-secret", dest));
        assertThat(untrusted.exitCode()).isNotZero();
        assertThat(untrusted.output()).contains("certificate");
    }

    @Test
    void plainHttpToTheTlsPortIsTold400ToUseHttps() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", stowage.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: " + stowage.hostPort() + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n")
                    .endsWith("this port speaks HTTPS; use https://" + stowage.hostPort() + "/v2/\n");
        }
    }

    @Test
    void anOpensslEncryptedTraditionalRsaKeyIsServedWithItsPasswordFromTheEnvironment() throws Exception {
        certs.run("openssl", "genrsa", "-traditional", "-aes256", "-passout", "pass:key-secret", "-out", "rsa.key", "2048");
        certs.run("openssl", "req", "-new", "-key", "rsa.key", "-passin", "pass:key-secret", "-out", "rsa.csr",
                "-subj", "/CN=rsa-server");
        certs.run("openssl", "x509", "-req", "-in", "rsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "rsa.crt", "-days", "2", "-extfile", "server.ext");
        assertThat(Files.readString(certs.dir.resolve("rsa.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----")
                .contains("Proc-Type: 4,ENCRYPTED");
        try (StowageProcess rsa = StowageProcess.start(dir.resolve("rsa-data"), Map.of(
                "STOWAGE_TLS_CERTIFICATE", certs.dir.resolve("rsa.crt").toString(),
                "STOWAGE_TLS_KEY", certs.dir.resolve("rsa.key").toString(),
                "STOWAGE_TLS_KEY_PASSWORD", "key-secret",
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", "tls-admin-secret"))) {
            java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(certs.clientContext(false))
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            var response = https.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("https://localhost:" + rsa.port() + "/v2/")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Bearer realm=\"https://localhost:" + rsa.port() + "/token\""));
        }
    }
}
