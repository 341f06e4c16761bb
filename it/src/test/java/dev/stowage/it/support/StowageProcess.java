package dev.stowage.it.support;

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
 * The real Stowage: {@code java -jar app/target/stowage.jar serve} as a separate process on a free port, with its
 * own storage directory. Its output goes to a log file that {@link #log()} returns for failure messages.
 */
public final class StowageProcess implements AutoCloseable {
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
        StowageProcess p = new StowageProcess(dataDir, freePort(), env);
        p.launch();
        return p;
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("stowage.jar", "../app/target/stowage.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("stowage jar not built: " + jar);
        return jar;
    }

    private void launch() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar().toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("STOWAGE_HTTP_PORT", Integer.toString(port));
        builder.environment().put("STOWAGE_HTTP_HOST", "127.0.0.1");
        builder.environment().put("STOWAGE_STORAGE_PATH", dataDir.toString());
        // The API tests run an open registry; the authentication tests switch it on explicitly.
        builder.environment().put("STOWAGE_AUTH_ENABLED", "false");
        builder.environment().putAll(extraEnv);
        process = builder.start();
        awaitReady();
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
