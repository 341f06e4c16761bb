package dev.stowage.app;

import dev.stowage.core.access.Session;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Offline recovery of a lost password, straight on the database. */
class ResetPasswordCommandTest {
    @TempDir Path dir;
    private Path data;
    private final StringWriter err = new StringWriter();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final InputStream stdin = System.in;
    private final PrintStream stdout = System.out;

    @BeforeEach
    void installation() throws Exception {
        data = dir.resolve("data");
        DataDirectory.prepare(StowageConfig.load(null, java.util.Map.of("STOWAGE_STORAGE_PATH", data.toString())), w -> {});
        try (JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(data.resolve("stowage.db")))) {
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            Bootstrap.ensureAdmin(identities, "the lost password", w -> {});
            identities.setDisabled("admin", true);
            identities.createSession(new Session("s1", "admin", Instant.now(), Instant.now().plusSeconds(3600), null, null, "docker"));
        }
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setIn(stdin);
        System.setOut(stdout);
    }

    private int run(String stdinText, String... args) {
        System.setIn(new ByteArrayInputStream(stdinText.getBytes(StandardCharsets.UTF_8)));
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void setsThePasswordEnablesTheAccountEndsItsSessionsAndIsAudited() {
        assertThat(run("a brand new password\n", "admin", "reset-password", "--data", data.toString(), "--password-stdin"))
                .as(err.toString()).isZero();
        try (JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(data.resolve("stowage.db")))) {
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            var admin = identities.findAccount("admin").orElseThrow();
            assertThat(PasswordHasher.DEFAULT.verify("a brand new password".toCharArray(), admin.passwordHash())).isTrue();
            assertThat(admin.disabled()).isFalse();
            assertThat(identities.findSession("s1").orElseThrow().revokedAt()).isNotNull();
            assertThat(new JdbcAuditStore(db).query(0, 10, Optional.empty(), Optional.of("admin"), Optional.empty(),
                    Optional.empty(), Optional.empty())).singleElement()
                    .satisfies(r -> assertThat(r.event().detail()).startsWith("reset-password admin"));
        }
    }

    @Test
    void withoutAPasswordGivenOneIsGeneratedAndPrintedOnce() {
        assertThat(run("", "admin", "reset-password", "--data", data.toString())).as(err.toString()).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        String password = printed.substring(printed.indexOf("new password: ") + "new password: ".length()).trim();
        try (JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(data.resolve("stowage.db")))) {
            assertThat(PasswordHasher.DEFAULT.verify(password.toCharArray(),
                    new JdbcIdentityStore(db).findAccount("admin").orElseThrow().passwordHash())).isTrue();
        }
    }

    @Test
    void aShortPasswordIsRefusedInOneLine() {
        assertThat(run("short\n", "admin", "reset-password", "--data", data.toString(), "--password-stdin")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("stowage: the new password is refused: passwords need at least 12 characters "
                + "(choose a longer one)" + System.lineSeparator());
    }

    @Test
    void anUnknownUserIsOneLine() {
        assertThat(run("a brand new password\n", "admin", "reset-password", "--data", data.toString(), "--user", "bob",
                "--password-stdin")).isEqualTo(2);
        assertThat(err.toString()).startsWith("stowage: there is no user 'bob' in jdbc:sqlite:");
    }

    @Test
    void aDirectoryWithoutADatabaseIsRefusedAndLeftAlone() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        assertThat(run("a brand new password\n", "admin", "reset-password", "--data", elsewhere.toString(),
                "--password-stdin")).isEqualTo(2);
        assertThat(err.toString()).startsWith("stowage: there is no database at " + elsewhere.resolve("stowage.db"));
        assertThat(elsewhere.resolve("stowage.db")).doesNotExist();
    }
}
