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

    @BeforeAll
    static void start() throws Exception {
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        TestCertificates certs = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
        caDir = Files.createDirectories(dir.resolve("trust"));
        Files.copy(certs.dir.resolve("ca.crt"), caDir.resolve("ca.crt"));
        stowage = StowageProcess.start(dir.resolve("data"), Map.of(
                "STOWAGE_TLS_CERTIFICATE", certs.dir.resolve("server.crt").toString(),
                "STOWAGE_TLS_KEY", certs.dir.resolve("server.key").toString(),
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", "tls-secret",
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
        run(cmd("skopeo", "copy", "--dest-cert-dir", caDir.toString(), "--dest-creds", "admin:tls-secret",
                "oci:" + layout + ":v1", dest)).ok();
        String inspect = run(cmd("skopeo", "inspect", "--cert-dir", caDir.toString(), "--creds", "admin:tls-secret", dest))
                .ok().output();
        assertThat(inspect).contains(image.manifestDigest());
        var untrusted = run(cmd("skopeo", "inspect", "--creds", "admin:tls-secret", dest));
        assertThat(untrusted.exitCode()).isNotZero();
        assertThat(untrusted.output()).contains("certificate");
    }
}
