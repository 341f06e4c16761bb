package dev.stowage.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up as an orchestrator sees it: from starting the process to the first answer to {@code GET /v2/} (any
 * status), on a fresh data directory and again on that directory (a restart on existing data), several times each.
 * Stowage starts as README starts it (authentication on), through the launcher's settings; Distribution as the
 * bench runs it.
 */
final class StartupBench {
    private final Path jar;
    private final Path distributionBinary;
    private final Path dir;
    private final int samples;
    private final Report report;
    private final PrintStream log;

    StartupBench(Path jar, Path distributionBinary, Path dir, int samples, Report report, PrintStream log) {
        this.jar = jar;
        this.distributionBinary = distributionBinary;
        this.dir = dir;
        this.samples = samples;
        this.report = report;
        this.log = log;
    }

    private interface Launch {
        ProcessBuilder at(Path dir, int port) throws IOException;
    }

    /** Measures the registries the bench starts: Stowage when given its jar, Distribution when given its binary. */
    void run() throws Exception {
        Map<String, Launch> launches = new LinkedHashMap<>();
        if (jar != null) {
            launches.put(BenchCommand.STOWAGE, (d, port) -> RegistryProcess.stowage(jar, d, port,
                    Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", RegistryProcess.ADMIN_PASSWORD)));
        }
        if (distributionBinary != null) launches.put("distribution", (d, port) -> RegistryProcess.distribution(distributionBinary, d, port));
        Map<String, List<Double>> fresh = new LinkedHashMap<>();
        Map<String, List<Double>> existing = new LinkedHashMap<>();
        for (int i = 0; i < samples; i++) {
            for (var e : launches.entrySet()) {
                Path d = Files.createDirectories(dir.resolve("startup-" + e.getKey().replaceAll("\\W", "") + "-" + i));
                fresh.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(timeToFirstAnswer(e.getValue(), d));
                existing.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(timeToFirstAnswer(e.getValue(), d));
            }
        }
        for (var e : fresh.entrySet()) {
            log.printf(Locale.ROOT, "start-up %s: fresh %s s, existing %s s%n", e.getKey(), e.getValue(), existing.get(e.getKey()));
        }
        row("start-up to the first answer, fresh data directory", fresh, 2.0);
        row("start-up to the first answer, existing data (a restart)", existing, 1.0);
    }

    private void row(String workload, Map<String, List<Double>> seconds, double goal) {
        List<String> measured = new ArrayList<>();
        Map<String, String> cells = new LinkedHashMap<>();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (var e : seconds.entrySet()) {
            List<Double> sorted = new ArrayList<>(e.getValue());
            Collections.sort(sorted);
            double median = sorted.get(sorted.size() / 2);
            String cell = String.format(Locale.ROOT, "median %.2f s, max %.2f s", median, sorted.getLast());
            cells.put(e.getKey(), cell);
            medians.put(e.getKey(), median);
            measured.add(e.getKey() + " " + cell);
        }
        String starts = samples == 1 ? "1 start" : samples + " starts";
        report.fact(workload + ", " + starts, cells, medians);
        List<Double> stowage = seconds.get(BenchCommand.STOWAGE);
        double worst = stowage == null ? Double.NaN : Collections.max(stowage);
        report.goal(new Report.GoalRow(workload + " (" + starts + "; goal on the slowest)", String.join("; ", measured),
                worst, stowage == null ? Double.NaN : goal, String.format(Locale.ROOT, "< %.0f s", goal)));
    }

    /** Starts the registry, waits for any answer to GET /v2/ (polling every 5 ms), stops it; answers the seconds. */
    private double timeToFirstAnswer(Launch launch, Path d) throws Exception {
        int port = RegistryProcess.freePort();
        long start = System.nanoTime();
        Process p = launch.at(d, port).start();
        try {
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) throw new IllegalStateException("exited during start-up, see the logs in " + d);
                if (answers(port)) return (System.nanoTime() - start) / 1e9;
                Thread.sleep(5);
            }
            throw new IllegalStateException("no answer within 60 s, see the logs in " + d);
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = s.getInputStream().readNBytes(12);
            return new String(head, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 ");
        } catch (IOException e) {
            return false;
        }
    }
}
