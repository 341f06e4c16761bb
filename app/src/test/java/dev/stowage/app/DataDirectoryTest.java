package dev.stowage.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryTest {
    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<>();

    private StowageConfig config(Path data, String... more) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("STOWAGE_STORAGE_PATH", data.toString()));
        for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
        return StowageConfig.load(null, env);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aFreshDataDirectoryAndDatabaseFileAreForTheOwnerOnly() throws Exception {
        Path data = dir.resolve("data");
        DataDirectory.prepare(config(data), warnings::add);
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("stowage.db"))).isEqualTo("rw-------");
        assertThat(warnings).isEmpty();
    }

    @Test
    void anExistingDirectoryOthersMayReadIsRefusedWithTheChmodThatFixesIt() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("stowage.db"), "");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> DataDirectory.prepare(config(data), warnings::add)).isInstanceOf(ConfigException.class)
                .hasMessage(data + " is open to other users (mode 0755) (run: chmod 700 " + data
                        + "; or set storage.allowLoosePermissions: true to accept it)");
    }

    @Test
    void aDatabaseFileOthersMayReadIsRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(data, DataDirectory.OWNER_DIRECTORY);
        Path db = Files.writeString(data.resolve("stowage.db"), "");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> DataDirectory.prepare(config(data), warnings::add)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(db + " is open to other users (mode 0644) (run: chmod 600 " + db);
    }

    @Test
    void looseDirectoriesAreWarnedAboutWhenTheOperatorAllowsThem() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(Files.writeString(data.resolve("stowage.db"), ""), DataDirectory.OWNER_FILE);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
        DataDirectory.prepare(config(data, "STOWAGE_STORAGE_ALLOW_LOOSE_PERMISSIONS", "true"), warnings::add);
        assertThat(warnings).singleElement().asString().startsWith("warning: " + data + " is open to other users (mode 0750)");
        assertThat(mode(data)).isEqualTo("rwxr-x---");
    }

    @Test
    void anEmptyDirectoryMadeWithMkdirIsTightenedNotRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        DataDirectory.prepare(config(data), warnings::add);
        assertThat(mode(data)).isEqualTo("rwx------");
    }

    @Test
    void theFirstStartMakesA32ByteKeyFileForTheOwnerOnlyAndLaterStartsReuseIt() throws Exception {
        StowageConfig config = config(dir.resolve("data"));
        DataDirectory.prepare(config, warnings::add);
        var sealer = DataDirectory.sealer(config, warnings::add);
        Path keyFile = dir.resolve("data/secret.key");
        assertThat(mode(keyFile)).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(keyFile).trim())).hasSize(32);
        String sealed = sealer.seal("s", "t.c:1");
        assertThat(DataDirectory.sealer(config, warnings::add).open(sealed, "t.c:1")).isEqualTo("s");
        assertThat(sealer.toString()).doesNotContain(Files.readString(keyFile).trim());
    }

    @Test
    void aKeyGivenInTheEnvironmentWritesNoKeyFile() throws Exception {
        StowageConfig config = config(dir.resolve("data"), "STOWAGE_SECRETS_KEY",
                Base64.getEncoder().encodeToString(new byte[32]));
        DataDirectory.prepare(config, warnings::add);
        DataDirectory.sealer(config, warnings::add);
        assertThat(dir.resolve("data/secret.key")).doesNotExist();
    }

    @Test
    void aDamagedKeyFileIsOneLineSayingToRestoreIt() throws Exception {
        StowageConfig config = config(dir.resolve("data"));
        DataDirectory.prepare(config, warnings::add);
        Path keyFile = Files.writeString(dir.resolve("data/secret.key"), "not a key");
        Files.setPosixFilePermissions(keyFile, DataDirectory.OWNER_FILE);
        assertThatThrownBy(() -> DataDirectory.sealer(config, warnings::add)).isInstanceOf(ConfigException.class)
                .hasMessage("the secrets key file " + keyFile + " does not hold the base64 of 32 bytes "
                        + "(restore it from a backup: the secrets in the database can only be read with it)");
    }
}
