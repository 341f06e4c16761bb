package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's memory settings hold under load: Stowage as README starts it (authentication on, the JVM settings
 * of jvm.options) serves 64 connections of manifest GETs with a Bearer token while four clients push 100 MiB blobs,
 * through {@code stowage bench} signing in with the token flow. Every request must succeed (the bench stops at the
 * first unexpected answer), the server must not run out of memory, and its peak resident memory stays within the
 * 256 MiB the settings are sized for. {@code -Dit.soakSeconds=600} makes it the soak run.
 */
class MemoryUnderLoadTest {
    static final String PASSWORD = "memory-under-load-password";
    @TempDir Path dir;

    @Test
    void tokenPullsUnderConcurrentLargePushesStayWithinTheMemoryTheLauncherSets() throws Exception {
        StowageProcess.requireStowage("the launcher's memory settings");
        int seconds = Integer.getInteger("it.soakSeconds", 20);
        try (StowageProcess stowage = StowageProcess.start(dir.resolve("data"),
                Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD))) {
            assertThat(Registry.call(stowage, "POST", "/api/v1/projects", "admin", PASSWORD, "{\"name\":\"bench\"}")
                    .statusCode()).isEqualTo(201);
            Clients.Result load = StowageProcess.run(Map.of(), seconds + 300, List.of("bench",
                    "--target", "stowage=" + stowage.baseUrl(), "--username", "admin", "--password", PASSWORD,
                    "--workloads", "mixed,manifest", "--connections", "64", "--duration", Integer.toString(seconds),
                    "--warmup", "2", "--rounds", "1", "--work-dir", dir.resolve("bench").toString()));
            assertThat(load.exitCode()).as(load.output()).isZero();
            assertThat(load.output()).contains("manifest GET by tag, 64 connections, while 4 clients push 100 MiB blobs");
            assertThat(stowage.alive()).as("the server survived the load").isTrue();
            assertThat(stowage.log()).doesNotContain("OutOfMemoryError").doesNotContain("OutOfDirectMemoryError");
            System.out.printf("peak resident memory under %d s of load: %.0f MiB%n%s%n", seconds, stowage.peakRssMiB(),
                    load.afterCommandLine());
            assertThat(stowage.peakRssMiB()).as("peak resident memory, MiB").isLessThanOrEqualTo(256);
        }
    }
}
