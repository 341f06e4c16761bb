package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.server.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stowage admin} against a registry on HTTPS with a private CA that requires client certificates (mutual
 * TLS): --cacert or STOWAGE_CACERT to trust it, --cert/--key to be let in, --insecure, and one line for each way
 * it can fail.
 */
class AdminCliTlsTest {
    static final String PASSWORD = "tls-cli-password";
    @TempDir static Path dir;
    static StowageProcess stowage;
    static TestCertificates certs;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(Files.createDirectories(dir.resolve("certs")));
        stowage = StowageProcess.start(dir.resolve("data"), Map.of(
                "STOWAGE_TLS_CERTIFICATE", certs.dir.resolve("server.crt").toString(),
                "STOWAGE_TLS_KEY", certs.dir.resolve("server.key").toString(),
                "STOWAGE_TLS_CLIENT_CA", certs.dir.resolve("ca.crt").toString(),
                "STOWAGE_TLS_REQUIRE_CLIENT_CERTIFICATE", "true",
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    static Clients.Result admin(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("admin", "--url", stowage.baseUrl()));
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("STOWAGE_PASSWORD", PASSWORD);
        return StowageProcess.run(env, 120, command);
    }

    static String output(Clients.Result r) {
        return r.afterCommandLine();
    }

    String[] clientCertificate() {
        return new String[] {"--cert", certs.dir.resolve("client.crt").toString(), "--key", certs.dir.resolve("client.key").toString()};
    }

    @Test
    void theCaFromCacertAndTheClientCertificateReachTheRegistry() throws Exception {
        List<String> args = new ArrayList<>(List.of("--cacert", certs.dir.resolve("ca.crt").toString()));
        args.addAll(List.of(clientCertificate()));
        args.addAll(List.of("-o", "json", "users", "list"));
        assertThat(output(admin(Map.of(), args.toArray(String[]::new)).ok())).contains("\"admin\"");
    }

    @Test
    void theCaComesFromStowageCacert() throws Exception {
        List<String> args = new ArrayList<>(List.of(clientCertificate()));
        args.addAll(List.of("users", "list"));
        admin(Map.of("STOWAGE_CACERT", certs.dir.resolve("ca.crt").toString()), args.toArray(String[]::new)).ok();
    }

    @Test
    void anUntrustedCertificateIsOneLinePointingToCacert() throws Exception {
        List<String> args = new ArrayList<>(List.of(clientCertificate()));
        args.addAll(List.of("users", "list"));
        Clients.Result r = admin(Map.of(), args.toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(output(r)).startsWith("stowage admin: the TLS certificate of " + stowage.baseUrl() + " is not trusted (")
                .contains("--cacert FILE or STOWAGE_CACERT").hasLineCount(1);
    }

    @Test
    void withoutAClientCertificateTheRegistryRefusesTheHandshakeOnOneLine() throws Exception {
        Clients.Result r = admin(Map.of(), "--cacert", certs.dir.resolve("ca.crt").toString(), "users", "list");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(output(r)).startsWith("stowage admin: ").contains("--cert FILE --key FILE").hasLineCount(1);
    }

    @Test
    void insecureSkipsVerificationWithAWarning() throws Exception {
        List<String> args = new ArrayList<>(List.of("--insecure"));
        args.addAll(List.of(clientCertificate()));
        args.addAll(List.of("users", "list"));
        Clients.Result r = admin(Map.of(), args.toArray(String[]::new)).ok();
        assertThat(output(r)).startsWith("stowage admin: warning: --insecure: ").contains("USERNAME");
    }

    @Test
    void theClientKeyMayBeInTheTraditionalFormatOpensslWrites() throws Exception {
        Path traditional = dir.resolve("client-traditional.key");
        openssl("pkey", "-in", certs.dir.resolve("client.key").toString(), "-traditional", "-out", traditional.toString());
        assertThat(Files.readString(traditional)).doesNotContain("BEGIN PRIVATE KEY");
        Clients.Result r = admin(Map.of(), "--cacert", certs.dir.resolve("ca.crt").toString(), "--cert",
                certs.dir.resolve("client.crt").toString(), "--key", traditional.toString(), "-o", "json", "users", "list");
        assertThat(output(r.ok())).contains("\"admin\"");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsOneLine() throws Exception {
        Path otherKey = dir.resolve("other.key");
        openssl("genrsa", "-traditional", "-out", otherKey.toString(), "2048");
        Clients.Result r = admin(Map.of(), "--cacert", certs.dir.resolve("ca.crt").toString(), "--cert",
                certs.dir.resolve("client.crt").toString(), "--key", otherKey.toString(), "users", "list");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(output(r)).contains("--cert/--key").contains("does not belong to the private key").hasLineCount(1);
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
    }
}
