package dev.stowage.metadata;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's binaries ({@code /usr/lib/postgresql/<version>/bin}) run a
 * throw-away cluster in a temporary directory on a free port, as the {@code postgres} user when the tests run as
 * root (initdb refuses root). {@code STOWAGE_TEST_POSTGRES_URL} points the tests at an existing server instead.
 * One server per JVM, stopped at exit; each caller gets a database of its own.
 */
public final class PostgresServer {
    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String adminUrl;
    private final String user;

    private PostgresServer(String adminUrl, String user) {
        this.adminUrl = adminUrl;
        this.user = user;
    }

    /** Why PostgreSQL cannot be started here, or null when it can. */
    public static String unavailableReason() {
        if (System.getenv("STOWAGE_TEST_POSTGRES_URL") != null) return null;
        return findBin().isPresent() ? null
                : "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)";
    }

    public static synchronized PostgresServer shared() throws Exception {
        if (shared == null) shared = start();
        return shared;
    }

    /** A fresh, empty database on the shared server: a JDBC URL with user and password. */
    public MetadataConfig newDatabase() throws SQLException {
        String name = "stowage_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(adminUrl, user, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new MetadataConfig(adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name, user, "", 4);
    }

    private static java.util.Optional<Path> findBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return java.util.Optional.empty();
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static PostgresServer start() throws Exception {
        String external = System.getenv("STOWAGE_TEST_POSTGRES_URL");
        if (external != null) {
            return new PostgresServer(external, System.getenv().getOrDefault("STOWAGE_TEST_POSTGRES_USER", "postgres"));
        }
        Path bin = findBin().orElseThrow(() -> new IllegalStateException(unavailableReason()));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "stowage-pg-");
        Path data = dir.resolve("data");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        if (root) run(List.of("chown", "postgres:postgres", dir.toString()), false);
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-sync"), root);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"), root);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"), root);
                run(List.of("rm", "-rf", dir.toString()), false);
            } catch (Exception ignored) {
                // best effort at exit
            }
        }));
        return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres");
    }

    private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("command failed: " + String.join(" ", full) + "\n" + output);
        }
    }
}
