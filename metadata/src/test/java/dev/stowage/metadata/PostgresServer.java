package dev.stowage.metadata;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, shared by every test of a JVM and stopped when it exits; each caller gets a
 * database of its own ({@link #newDatabase()}).
 *
 * <p>By default it runs a throw-away cluster from the installed binaries ({@code /usr/lib/postgresql/<version>/bin},
 * Debian's {@code postgresql} package; the newest version wins) in a temporary directory, on a free port with its
 * unix socket in that directory, tuned for tests (no fsync). initdb refuses to run as root, so as root the
 * binaries run as the {@code postgres} user through {@code runuser}. The cluster's default collation is ICU
 * {@code en} where the server supports it, so a query that forgets the bytewise {@code COLLATE "C"} sorts wrongly
 * and fails its test.
 *
 * <p>{@code STOWAGE_TEST_POSTGRES_URL} (for example {@code jdbc:postgresql://127.0.0.1:5432/postgres}, with
 * {@code STOWAGE_TEST_POSTGRES_USER} and {@code STOWAGE_TEST_POSTGRES_PASSWORD}) uses an existing server instead:
 * the user needs CREATEDB; the databases made by the tests are dropped at exit.
 *
 * <p>Usable from other modules through this module's test-jar: call {@link #assumeAvailable()} in a
 * {@code @BeforeAll}, then {@code PostgresServer.shared().newDatabase()}.
 */
public final class PostgresServer {
    public static final String URL_VARIABLE = "STOWAGE_TEST_POSTGRES_URL";
    private static final Path BINARIES_ROOT = Path.of("/usr/lib/postgresql");

    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String adminUrl;
    private final String user;
    private final String password;
    private final List<String> created = new CopyOnWriteArrayList<>();

    private PostgresServer(String adminUrl, String user, String password) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
    }

    /** Why no PostgreSQL can be had here, or null when it can. */
    public static String unavailableReason() {
        if (System.getenv(URL_VARIABLE) != null) return null;
        if (findBinaries().isPresent()) return null;
        return "PostgreSQL binaries (initdb, pg_ctl) not found under " + BINARIES_ROOT + "/*/bin: install them "
                + "(Debian/Ubuntu: apt-get install postgresql) or point " + URL_VARIABLE + " at a server";
    }

    /**
     * Skips the calling tests (JUnit assumption) when PostgreSQL is unavailable, naming what to install; fails them
     * instead when {@code CI=true}, where a silently skipped database would hide a broken build.
     */
    public static void assumeAvailable() {
        String reason = unavailableReason();
        if (reason == null) return;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail("CI=true and " + reason);
        Assumptions.assumeTrue(false, reason);
    }

    /** The server of this JVM, started on first use. */
    public static synchronized PostgresServer shared() throws Exception {
        if (shared == null) shared = start();
        return shared;
    }

    /** A fresh, empty database on the shared server, with its user and password; pool size 4. */
    public MetadataConfig newDatabase() throws SQLException {
        String name = "stowage_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        created.add(name);
        return new MetadataConfig(jdbcUrl(name), user, password, 4);
    }

    /** The JDBC URL of database {@code name} on this server. */
    public String jdbcUrl(String name) {
        int query = adminUrl.indexOf('?');
        String base = query < 0 ? adminUrl : adminUrl.substring(0, query);
        String parameters = query < 0 ? "" : adminUrl.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + name + parameters;
    }

    private static Optional<Path> findBinaries() {
        if (!Files.isDirectory(BINARIES_ROOT)) return Optional.empty();
        try (Stream<Path> versions = Files.list(BINARIES_ROOT)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static PostgresServer start() throws Exception {
        String external = System.getenv(URL_VARIABLE);
        if (external != null) {
            PostgresServer server = new PostgresServer(external,
                    System.getenv().getOrDefault("STOWAGE_TEST_POSTGRES_USER", "postgres"),
                    System.getenv().getOrDefault("STOWAGE_TEST_POSTGRES_PASSWORD", ""));
            Runtime.getRuntime().addShutdownHook(new Thread(server::dropCreatedDatabases, "stowage-test-postgres-cleanup"));
            return server;
        }
        Path bin = findBinaries().orElseThrow(() -> new IllegalStateException(unavailableReason()));
        boolean asPostgres = "root".equals(System.getProperty("user.name"));
        // /tmp, not java.io.tmpdir: the socket path must stay short (108 bytes) and the postgres user must reach it.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "stowage-pg-");
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        if (asPostgres) run(List.of("chown", "postgres:postgres", dir.toString()), false);
        Runnable remove = () -> {
            try {
                run(List.of("rm", "-rf", dir.toString()), false);
            } catch (Exception ignored) {
                // best effort
            }
        };
        try {
            initdb(bin, data, asPostgres);
        } catch (Exception e) {
            remove.run();
            throw e;
        }
        int port = freePort();
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60",
                    "-o", options, "start"), asPostgres);
        } catch (IllegalStateException e) {
            String serverLog = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
            remove.run();
            throw new IllegalStateException(e.getMessage() + "\nserver log:\n" + serverLog, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"),
                        asPostgres);
            } catch (Exception ignored) {
                // best effort at exit
            }
            remove.run();
        }, "stowage-test-postgres-stop"));
        return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    /** A cluster whose default collation is not bytewise (ICU "en") when the server supports it, else the default. */
    private static void initdb(Path bin, Path data, boolean asPostgres) throws IOException, InterruptedException {
        List<String> base = List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        if (majorVersion(bin) >= 15) {
            List<String> icu = new ArrayList<>(base);
            icu.addAll(List.of("--locale-provider=icu", "--icu-locale=en", "--locale=C"));
            try {
                run(icu, asPostgres);
                return;
            } catch (IllegalStateException noIcu) {
                run(List.of("rm", "-rf", data.toString()), false);
            }
        }
        run(base, asPostgres);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void dropCreatedDatabases() {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             Statement s = c.createStatement()) {
            for (String name : created) {
                try {
                    s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                } catch (SQLException ignored) {
                    // best effort at exit
                }
            }
        } catch (SQLException ignored) {
            // best effort at exit
        }
    }

    private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("command timed out: " + String.join(" ", full) + "\n" + output);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("command failed (exit " + p.exitValue() + "): " + String.join(" ", full)
                    + "\n" + output);
        }
    }
}
