package dev.stowage.it;

import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A first start and what an operator meets around it: the generated admin password, the data directory's modes, the
 * secrets sealed in the database, configuration mistakes as one line, and recovering a lost password offline.
 */
class FirstStartTest {
    private static final String PASSWORD = "first-start-admin-password";
    @TempDir Path dir;

    @Test
    void generatedAdminPasswordIsShownOnceAndWorks() throws Exception {
        String password;
        try (StowageProcess first = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true"))) {
            Matcher m = Pattern.compile("password: (\\S+)").matcher(first.log());
            assertThat(m.find()).as(first.log()).isTrue();
            password = m.group(1);
            assertThat(Registry.get(first, "/v2/").statusCode()).isEqualTo(401);
            assertThat(tokenStatus(first, "admin", password)).isEqualTo(200);
            first.kill9();
            first.restart();
            assertThat(first.log().split("password: ", -1)).hasSize(2); // still only the first start's banner
        }
    }

    @Test
    void aFreshDataDirectoryAndEveryFileInItAreForTheOwnerOnly() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, auth())) {
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(200); // a signing key exists and was used
            assertThat(mode(data)).isEqualTo("rwx------");
            for (String file : List.of("stowage.db", "stowage.db-wal", "stowage.db-shm", "secret.key")) {
                assertThat(mode(data.resolve(file))).as(file).isEqualTo("rw-------");
            }
            assertThat(mode(data.resolve("blobs"))).isEqualTo("rwx------");
            assertThat(mode(data.resolve("uploads"))).isEqualTo("rwx------");
        }
    }

    @Test
    void aCopyOfTheDatabaseHoldsNoSigningKeyInPlaintext() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, auth())) {
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(200);
        }
        StringBuilder bytes = new StringBuilder();
        for (String file : List.of("stowage.db", "stowage.db-wal")) {
            Path p = data.resolve(file);
            if (Files.exists(p)) bytes.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        }
        assertThat(bytes.toString()).contains("signing_keys").doesNotContain("\"kty\"").doesNotContain("\"d\":\"");
    }

    @Test
    void aServerStartedWithAnotherKeyIsRefusedInOneLine() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, auth())) {
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(200);
        }
        Files.writeString(data.resolve("secret.key"), Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        Run run = serve(data, auth());
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertOneLine(run);
        assertThat(run.stderr).contains("was sealed with another key, not with the key file " + data.resolve("secret.key"));
    }

    @Test
    void aMissingKeyFileIsRefusedInOneLineAndNoWrongKeyIsLeftBehind() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, auth())) {
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(200);
        }
        Files.delete(data.resolve("secret.key"));
        Run run = serve(data, auth());
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertOneLine(run);
        assertThat(run.stderr).contains("the secrets key file " + data.resolve("secret.key") + " is missing")
                .contains("restore the file from a backup");
        assertThat(data.resolve("secret.key")).doesNotExist();
    }

    @Test
    void anExistingDataDirectoryOthersMayReadIsRefusedWithTheChmodThatFixesIt() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data)) {
            assertThat(stowage.alive()).isTrue();
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run run = serve(data, Map.of());
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertThat(run.stderr).isEqualTo("stowage: " + data + " is open to other users (mode 0755) (run: chmod 700 " + data
                + "; or set storage.allowLoosePermissions: true to accept it)\n");
    }

    @Test
    void anUnknownSettingInTheFileIsOneLineNamingItAndTheNearestOne() throws Exception {
        Path config = Files.writeString(dir.resolve("stowage.yaml"), "http:\n  prot: 5000\n");
        Run run = serve(dir.resolve("data"), Map.of(), "--config", config.toString());
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertThat(run.stderr).isEqualTo("stowage: " + config + ": unknown setting 'http.prot' (did you mean 'http.port'?)\n");
    }

    @Test
    void aMissingConfigurationFileIsOneLine() throws Exception {
        Path config = dir.resolve("missing.yaml");
        Run run = serve(dir.resolve("data"), Map.of(), "--config", config.toString());
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertThat(run.stderr).isEqualTo("stowage: configuration file " + config + " does not exist (check the --config path)\n");
    }

    @Test
    void aBadDurationIsOneLineNamingTheSetting() throws Exception {
        Run run = serve(dir.resolve("data"), Map.of("STOWAGE_UPLOADS_EXPIRY", "soon"));
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertOneLine(run);
        assertThat(run.stderr).startsWith("stowage: uploads.expiry must be a duration");
    }

    @Test
    void aPortInUseIsOneLine() throws Exception {
        try (StowageProcess first = StowageProcess.start(dir.resolve("first"))) {
            Run run = serve(dir.resolve("second"), Map.of("STOWAGE_HTTP_PORT", Integer.toString(first.port())));
            assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
            assertThat(run.stderr).isEqualTo("stowage: cannot listen on 127.0.0.1:" + first.port()
                    + ": the address is in use (stop the process using it, or set http.port (--port))\n");
        }
    }

    @Test
    void anUnknownStowageVariableIsWarnedAboutWithTheNearestName() throws Exception {
        try (StowageProcess stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_HTTP_PROT", "5000"))) {
            assertThat(stowage.log()).contains(
                    "stowage: warning: ignoring STOWAGE_HTTP_PROT: no such setting (did you mean STOWAGE_HTTP_PORT?)");
        }
    }

    @Test
    void aShortFirstAdminPasswordIsRefusedInOneLine() throws Exception {
        Run run = serve(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", "hunter2"));
        assertThat(run.exitCode).as(run.describe()).isEqualTo(2);
        assertThat(run.stderr).isEqualTo("stowage: STOWAGE_ADMIN_PASSWORD is refused: passwords need at least 12 characters "
                + "(choose a longer one, or leave it unset to have one generated and shown once)\n");
    }

    @Test
    void theAdminPasswordOfAnExistingInstallationIsIgnoredWithAWarning() throws Exception {
        try (StowageProcess stowage = StowageProcess.start(dir.resolve("data"), auth())) {
            stowage.kill9();
            Map<String, String> changed = new HashMap<>(auth());
            changed.put("STOWAGE_ADMIN_PASSWORD", "a-different-password");
            try (StowageProcess again = StowageProcess.start(dir.resolve("data"), changed)) {
                assertThat(again.log()).contains("stowage: warning: STOWAGE_ADMIN_PASSWORD is ignored");
                assertThat(tokenStatus(again, "admin", PASSWORD)).isEqualTo(200);
                assertThat(tokenStatus(again, "admin", "a-different-password")).isEqualTo(401);
            }
        }
    }

    @Test
    void aLostPasswordIsResetOnTheStoppedServerAndSignsIn() throws Exception {
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, auth())) {
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(200);
            stowage.close();
            Run reset = run(List.of("admin", "reset-password", "--data", data.toString()),
                    Map.of("STOWAGE_NEW_PASSWORD", "the-recovered-password"));
            assertThat(reset.exitCode).as(reset.describe()).isZero();
            assertThat(reset.stdout).contains("The password of 'admin' is reset");
            stowage.restart();
            assertThat(tokenStatus(stowage, "admin", "the-recovered-password")).isEqualTo(200);
            assertThat(tokenStatus(stowage, "admin", PASSWORD)).isEqualTo(401);
        }
    }

    private static Map<String, String> auth() {
        return Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD);
    }

    private static int tokenStatus(StowageProcess stowage, String user, String password) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stowage.baseUrl() + "/token?service=stowage&scope=registry:catalog:*"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes()))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static void assertOneLine(Run run) {
        assertThat(run.stderr).as(run.describe()).startsWith("stowage: ").endsWith("\n").doesNotContain("Exception")
                .doesNotContain("\tat ").doesNotContain("at dev.");
        assertThat(run.stderr.lines().count()).as(run.describe()).isEqualTo(1);
    }

    private record Run(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** {@code stowage serve} expected to stop by itself (a refused start), with its output kept apart. */
    private Run serve(Path data, Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("STOWAGE_STORAGE_PATH", data.toString(),
                "STOWAGE_HTTP_HOST", "127.0.0.1", "STOWAGE_HTTP_PORT", "0", "STOWAGE_AUTH_ENABLED", "false"));
        all.putAll(env);
        List<String> command = new ArrayList<>(List.of("serve"));
        command.addAll(List.of(args));
        return run(command, all);
    }

    private Run run(List<String> arguments, Map<String, String> env) throws Exception {
        List<String> command = StowageProcess.command(arguments);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("STOWAGE_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running: " + command + "\n" + Files.readString(out) + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
