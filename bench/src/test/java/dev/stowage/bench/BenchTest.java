package dev.stowage.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BenchTest {
    @TempDir Path dir;

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(LatencyRecorder.percentile(sorted, 50)).isEqualTo(5);
        assertThat(LatencyRecorder.percentile(sorted, 90)).isEqualTo(9);
        assertThat(LatencyRecorder.percentile(sorted, 99)).isEqualTo(10);
        assertThat(LatencyRecorder.percentile(new long[0], 50)).isZero();
    }

    @Test
    void summaryMergesRecorders() {
        LatencyRecorder a = new LatencyRecorder();
        LatencyRecorder b = new LatencyRecorder();
        for (int i = 1; i <= 50; i++) a.record(i);
        for (int i = 51; i <= 100; i++) b.record(i);
        LatencyRecorder.Summary s = LatencyRecorder.summarize(List.of(a, b));
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.max()).isEqualTo(100);
    }

    @Test
    void blobContentIsDistinctPerSeedAndItsDigestMatchesWhatIsWritten() throws Exception {
        BlobContent content = new BlobContent(42);
        BlobContent.Blob one = content.blob(1, 3 * BlobContent.CHUNK + 17);
        BlobContent.Blob two = content.blob(2, 3 * BlobContent.CHUNK + 17);
        assertThat(one.digest()).isNotEqualTo(two.digest());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] scratch = new byte[BlobContent.CHUNK];
        content.write(one, 0, 1000, out, scratch);
        content.write(one, 1000, one.size(), out, scratch);
        assertThat(Workloads.sha256(out.toByteArray())).isEqualTo(one.digest());
    }

    @Test
    void quickRunAgainstDistributionReportsEveryWorkload() throws Exception {
        Path distribution = Path.of("/usr/bin/docker-registry");
        String reason = "CNCF Distribution is not installed (apt-get install docker-registry)";
        if (!Files.isExecutable(distribution) && "true".equals(System.getenv("CI"))) fail(reason);
        assumeTrue(Files.isExecutable(distribution), reason);
        Path markdown = dir.resolve("result.md");
        int exit = new CommandLine(new BenchCommand()).execute("--start-distribution", "--quick", "--warmup", "0",
                "--sizes", "1", "--pull-size", "1", "--duration", "1", "--repositories", "30", "--tags", "30",
                "--work-dir", dir.resolve("work").toString(), "--markdown", markdown.toString());
        assertThat(exit).isZero();
        String result = Files.readString(markdown);
        for (String workload : List.of("push monolithic 1 MiB", "push chunked 1 MiB", "pull", "manifest GET by tag",
                "manifest HEAD by tag", "catalog, 30 repositories", "tags list, 30 tags",
                "manifest GET by tag, 64 connections, while 4 clients push 10 MiB blobs")) {
            assertThat(result).contains("| " + workload);
        }
        assertThat(result).containsPattern("\\| start-up to the first answer, fresh data directory, 1 start \\| median [0-9.]+ s, max [0-9.]+ s \\|");
        assertThat(result).containsPattern("\\| start-up to the first answer, existing data \\(a restart\\), 1 start \\| median [0-9.]+ s, max [0-9.]+ s \\|");
        assertThat(result).containsPattern("\\| " + java.util.regex.Pattern.quote(Report.PEAK_MEMORY) + " \\| [0-9]+ MiB \\|");
        assertThat(result).contains("| distribution |");
    }

    @Test
    void scanningWorkloadRunsInProcessOnRealDataAndReportsEachMeasurementAgainstItsGoal() throws Exception {
        Path vulndata = Path.of(System.getProperty("stowage.vulndata", "../../shared/vulndata"));
        Path markdown = dir.resolve("scanning.md");
        int exit = new CommandLine(new BenchCommand()).execute("--workloads", "scanning", "--vulndata",
                vulndata.toString(), "--scan-image-size", "1", "--scan-packages", "10", "--scan-inventories", "20",
                "--work-dir", dir.resolve("work").toString(), "--markdown", markdown.toString());
        assertThat(exit).isZero();
        String result = Files.readString(markdown);
        assertThat(result).contains("| workload | measured | goal | measured/goal |");
        assertThat(result).containsPattern("\\| inventory of a 1 MiB, 5-layer image of real files \\(gzip layers.*\\| < 2 s \\| "
                + "[0-9.]+ \\((met|missed)\\) \\|");
        assertThat(result).containsPattern("\\| inventory of a 1 MiB, 5-layer image of real files \\(zstd layers.*\\| < 2 s \\|");
        assertThat(result).containsPattern("\\| match 10 packages against all of vulndata .*\\| < 100 ms \\|");
        assertThat(result).containsPattern("\\| re-match 20 stored inventories after a database update.*\\| < 60 s \\|");
        assertThat(result).doesNotContain(Report.PEAK_MEMORY); // no registry was started
    }

    @Test
    void goalRowsSayOnWhichSideOfItsGoalAMeasurementIs() {
        assertThat(new Report.GoalRow("w", "", 3.0, 2.0, "< 2 s").ratio()).isEqualTo("1.50 (missed)");
        assertThat(new Report.GoalRow("w", "", 0.5, 2.0, "< 2 s").ratio()).isEqualTo("0.25 (met)");
        assertThat(new Report.GoalRow("w", "", 1.99, 2.0, "< 2 s").ratio()).isEqualTo("0.995 (met)");
        assertThat(new Report.GoalRow("w", "", 2.004, 2.0, "< 2 s").ratio()).isEqualTo("1.002 (missed)");
        assertThat(new Report.GoalRow("w", "", 1.0, Double.NaN, "").ratio()).isEqualTo("-");
    }

    @Test
    void scanningWorkloadWithoutVulnerabilityDataSaysWhereToPointIt() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute("--workloads", "scanning", "--vulndata", dir.resolve("nothing").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("no vulnerability data at " + dir.resolve("nothing")
                + " (osv/Go.zip missing): give --vulndata <dir> (or -Dstowage.vulndata=<dir>)");
    }

    @Test
    void scanLoadWithoutStartStowageSaysItStartsStowageItself() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute("--workloads", "scan-load", "--target", "x=http://127.0.0.1:1");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("the scan-load workload starts Stowage itself, twice (scanning off and on): "
                + "give --start-stowage (and --stowage-jar <jar> when not running from the Stowage jar)");
    }

    @Test
    void eachScanLoadImageHasALayerOfItsOwnThatIsAGzipTarOfOneFile() throws Exception {
        byte[] one = ScanLoadBench.uniqueLayer("run-1");
        assertThat(Workloads.sha256(one)).isNotEqualTo(Workloads.sha256(ScanLoadBench.uniqueLayer("run-2")));
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(one)))) {
            var entry = tar.getNextEntry();
            assertThat(entry.getName()).isEqualTo("etc/stowage-bench-image");
            assertThat(new String(tar.readAllBytes())).isEqualTo("run-1\n");
            assertThat(tar.getNextEntry()).isNull();
        }
    }

    @Test
    void everyRegistryIsComparedWithTheSecondOneTheBaseline() {
        Report report = new Report();
        List<RegistryProcess> registries = List.of(
                RegistryProcess.external("stowage", java.net.URI.create("http://127.0.0.1:1"), null, null),
                RegistryProcess.external("distribution", java.net.URI.create("http://127.0.0.1:2"), null, null),
                RegistryProcess.external("stowage (auth off)", java.net.URI.create("http://127.0.0.1:3"), null, null));
        report.header(registries, "stowage bench");
        LatencyRecorder.Summary latency = LatencyRecorder.summarize(List.of(new LatencyRecorder()));
        report.add("manifest GET by tag", java.util.Map.of(
                "stowage", List.of(new Report.Sample(30_000, 1, "req/s", latency, 1.0)),
                "distribution", List.of(new Report.Sample(1_000, 1, "req/s", latency, 1.0)),
                "stowage (auth off)", List.of(new Report.Sample(33_000, 1, "req/s", latency, 1.0))));
        report.fact("peak memory", java.util.Map.of("stowage", "200 MiB", "distribution", "50 MiB"),
                java.util.Map.of("stowage", 200.0, "distribution", 50.0));
        String md = report.markdown();
        assertThat(md).contains("| workload | stowage | distribution | stowage (auth off) | ratio stowage/distribution "
                + "| ratio stowage (auth off)/distribution |\n|---|---|---|---|---|---|\n");
        assertThat(md).containsPattern("\\| manifest GET by tag \\| 30000.0 req/s .* \\| 1000.0 req/s .* \\| 33000.0 req/s .* \\| 30.00x \\| 33.00x \\|");
        assertThat(md).contains("| peak memory | 200 MiB | 50 MiB | - | 4.00x | n/a |");
        assertThat(report.text()).contains("ratio stowage (auth off)/distribution: 33.00x");
    }

    @Test
    void aFloorGoalIsMetAtOrAboveIt() {
        assertThat(new Report.GoalRow("w", "", 0.95, 0.90, ">= 0.90", true).ratio()).isEqualTo("1.06 (met)");
        assertThat(new Report.GoalRow("w", "", 0.80, 0.90, ">= 0.90", true).ratio()).isEqualTo("0.89 (missed)");
        assertThat(new Report.GoalRow("w", "", 0.899, 0.90, ">= 0.90", true).ratio()).isEqualTo("0.999 (missed)");
    }
}
