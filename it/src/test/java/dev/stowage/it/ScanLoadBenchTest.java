package dev.stowage.it;

import dev.stowage.bench.BenchCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stowage bench --workloads scan-load} at a tiny scale against the real jar: it runs and reports every row. */
class ScanLoadBenchTest {
    @TempDir Path dir;

    @Test
    void scanLoadWorkloadMeasuresGetsAndPushesOfRealImagesWithScanningOnAndOff() throws Exception {
        // the jar the it module runs (built before these tests: bench's own tests run before the app is packaged)
        Path jar = Path.of(System.getProperty("stowage.jar", "../app/target/stowage.jar"));
        assertThat(jar).isRegularFile();
        Path markdown = dir.resolve("scan-load.md");
        int exit = new CommandLine(new BenchCommand()).execute("--workloads", "scan-load", "--start-stowage",
                "--stowage-jar", jar.toString(), "--quick", "--rounds", "1", "--warmup", "0", "--scan-load-duration", "2",
                "--scan-load-image-size", "4", "--clients", "2", "--connections", "4",
                "--work-dir", dir.resolve("work").toString(), "--markdown", markdown.toString());
        assertThat(exit).isZero();
        String result = Files.readString(markdown);
        assertThat(result).contains("| workload | scanning on | scanning off | ratio scanning on/scanning off |");
        assertThat(result).containsPattern("\\| manifest GET by tag, 4 connections, while 1 client pushes real images "
                + "\\([0-9]+ MiB gzip'd, 5\\+1 layers of real files\\) \\| [0-9.]+ req/s .*\\| [0-9.]+ req/s .*\\| [0-9.]+x \\|");
        assertThat(result).containsPattern("\\| push of real images .*, 2 clients \\| [0-9.]+ MB/s .*\\| [0-9.]+ MB/s .*\\| [0-9.]+x \\|");
        assertThat(result).containsPattern("\\| manifest GET by tag, .*, scanning on vs off \\| scanning on/off: [0-9.]+ .*"
                + "\\| >= 0.90 of scanning off \\| [0-9.]+ \\((met|missed)\\) \\|");
        assertThat(result).containsPattern("\\| scan-load, scanning on, round 1 \\| GET window .* [1-9][0-9]* packages per scanned image");
        assertThat(result).containsPattern("\\| scan-load, scanning off, round 1 \\| GET window [0-9.]+ s: [0-9]+ images pushed, "
                + "0 scans completed, scan-worker CPU 0.0 s; push window [0-9.]+ s: 0 scans completed");
    }

}
