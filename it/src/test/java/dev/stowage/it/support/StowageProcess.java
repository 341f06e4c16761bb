package dev.stowage.it.support;

import dev.stowage.bench.StowageLaunch;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Stowage: {@code stowage serve} as the launcher runs it ({@link #command}), a separate process on a free port, with its
 * own storage directory. Its output goes to a log file that {@link #log()} returns for failure messages, and that
 * {@link ServerLogs} prints when a test fails.
 *
 * <p>With {@code -Dit.target=distribution} the same tests run against CNCF Distribution instead (Debian's
 * {@code docker-registry}, delete enabled): that proves a test's expectations against the reference registry.
 * Tests that need something only Stowage has (its configuration, authentication, its command line) are skipped
 * there: they pass configuration through {@link #start(Path, Map)}, or call {@link #requireStowage(String)}.
 */
public final class StowageProcess implements AutoCloseable {
    public static final String DISTRIBUTION_BINARY = "/usr/bin/docker-registry";

    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final Map<String, String> extraEnv;
    private Process process;

    private StowageProcess(Path dataDir, int port, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.port = port;
        this.extraEnv = extraEnv;
    }

    public static StowageProcess start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    public static StowageProcess start(Path dataDir, Map<String, String> env) throws Exception {
        if (!env.isEmpty()) requireStowage("Stowage configuration " + env.keySet());
        StowageProcess p = new StowageProcess(dataDir, freePort(), env);
        p.launch();
        return p;
    }

    /** True when the tests run against CNCF Distribution ({@code -Dit.target=distribution}). */
    public static boolean distribution() {
        return "distribution".equals(System.getProperty("it.target", "stowage"));
    }

    /** Skips the calling test when the registry under test is not Stowage; {@code what} says what it needs. */
    public static void requireStowage(String what) {
        org.junit.jupiter.api.Assumptions.assumeFalse(distribution(), what + " needs Stowage, not CNCF Distribution");
    }

    public static Path jar() {
        requireStowage("the stowage jar");
        Path jar = Path.of(System.getProperty("stowage.jar", "../app/target/stowage.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("stowage jar not built: " + jar);
        return jar;
    }

    private void launch() throws Exception {
        Files.createDirectories(dataDir);
        process = distribution() ? launchDistribution() : launchStowage();
        ServerLogs.started(this);
        awaitReady();
    }

    private Process launchDistribution() throws IOException {
        if (!Files.isExecutable(Path.of(DISTRIBUTION_BINARY))) {
            throw new IllegalStateException(DISTRIBUTION_BINARY + " is missing (apt-get install docker-registry)");
        }
        Path config = dataDir.resolveSibling(dataDir.getFileName() + "-distribution.yml");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log: {level: info}",
                "storage:",
                "  filesystem: {rootdirectory: '" + dataDir + "'}",
                "  delete: {enabled: true}",
                "http:",
                "  addr: 127.0.0.1:" + port,
                "  secret: stowage-it-upload-state-secret", // upload locations stay valid across restarts
                ""));
        return new ProcessBuilder(DISTRIBUTION_BINARY, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    /**
     * The command line that runs {@code stowage args...} as the launcher does: with the JVM settings in jvm.options
     * beside the jar (and its AOT cache when one was built), so the tests run what users run, small heap included.
     */
    public static List<String> command(List<String> args) {
        return StowageLaunch.command(Path.of(ProcessHandle.current().info().command().orElse("java")), jar(), args);
    }

    /** Runs {@code stowage args...} (a CLI command) to its end; the output starts with the command line. */
    public static Clients.Result run(Map<String, String> env, int timeoutSeconds, List<String> args) throws Exception {
        return Clients.run(command(args), env, timeoutSeconds);
    }

    /** {@code stowage admin --url <this registry> --output json args...} with {@code env} (credentials). */
    public Clients.Result adminJson(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("admin", "--url", baseUrl(), "--output", "json"));
        all.addAll(List.of(args));
        return run(env, 120, all);
    }

    private Process launchStowage() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(List.of("serve")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("STOWAGE_HTTP_PORT", Integer.toString(port));
        builder.environment().put("STOWAGE_HTTP_HOST", "127.0.0.1");
        builder.environment().put("STOWAGE_STORAGE_PATH", dataDir.toString());
        // The API tests run an open registry; the authentication tests switch it on explicitly.
        builder.environment().put("STOWAGE_AUTH_ENABLED", "false");
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    private boolean tls() {
        return extraEnv.containsKey("STOWAGE_TLS_CERTIFICATE");
    }

    private void awaitReady() throws Exception {
        HttpClient client = tls() ? HttpClient.newBuilder().sslContext(trustAll()).build() : HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("stowage exited early:\n" + log());
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) return; // 401: authentication is on
            } catch (javax.net.ssl.SSLException e) {
                return; // a handshake refused (no client certificate, for a registry that requires one): it listens
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("stowage did not become ready:\n" + log());
    }

    public int port() { return port; }

    /** host:port as clients name the registry; Docker trusts localhost without TLS. */
    public String hostPort() { return "localhost:" + port; }

    public String baseUrl() { return (tls() ? "https" : "http") + "://127.0.0.1:" + port; }

    /** The readiness probe only: it checks that the port answers, not who answers. */
    private static javax.net.ssl.SSLContext trustAll() throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) { }
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) { }
            public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
        }}, null);
        return context;
    }

    public Path dataDir() { return dataDir; }

    public Path logFile() { return logFile; }

    /** What runs: "stowage" or "distribution", with the port, for failure reports. */
    public String describe() {
        return (distribution() ? "distribution" : "stowage") + " on port " + port + " (data " + dataDir + ")";
    }

    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** SIGKILL: no shutdown hooks, no flushing. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts again on the same port and data after {@link #kill9()}. */
    public void restart() throws Exception {
        if (process.isAlive()) kill9();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) kill9();
        }
    }

    /** The server's peak resident memory so far (VmHWM), in MiB. */
    public double peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
        throw new IOException("no VmHWM for process " + process.pid());
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
