package dev.stowage.app;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands that work on an installation's files never make a new, empty one where --data points by mistake. */
class OfflineCommandsTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gc", "audit verify", "admin reset-password"})
    void aDataDirectoryWithoutADatabaseIsOneLineAndLeftAlone(String command) throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        String[] args = (command + " --data " + elsewhere).split(" ");
        assertThat(cli.execute(args)).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("stowage: there is no database at " + elsewhere.resolve("stowage.db")
                + " (give the installation's data directory with --data, or its configuration with --config)"
                + System.lineSeparator());
        try (var entries = Files.list(elsewhere)) {
            assertThat(entries).isEmpty();
        }
    }
}
