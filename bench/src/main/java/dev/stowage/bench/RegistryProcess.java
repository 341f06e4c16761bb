package dev.stowage.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A registry under test: its base URL and, when the bench started it, its process for CPU and memory readings. */
final class RegistryProcess implements AutoCloseable {
    final String name;
    final URI base;
    private final Process process;
    /** How clients sign in (the token flow), or null for an open registry. */
    final TokenAuth auth;

    RegistryProcess(String name, URI base, Process process, TokenAuth auth) {
        this.name = name;
        this.base = base;
        this.process = process;
        this.auth = auth;
    }

    static RegistryProcess external(String name, URI base, String username, String password) {
        return new RegistryProcess(name, base, null, username == null ? null : new TokenAuth(base, username, password));
    }

    /**
     * Signs in for the scope of requests to {@code path} before they are measured (the token is then held, as a
     * client that has pulled or pushed there before holds it): a workload's rate is not to include one sign-in.
     */
    void signIn(String path) throws IOException {
        if (auth != null) auth.authorization(TokenAuth.scopeOf(path));
    }

    /** The same registry seen by clients that do not sign in (anonymous pulls from a public project). */
    RegistryProcess anonymous() {
        return new RegistryProcess(name, base, process, null);
    }

    /** A connection that signs in as this registry's clients do (when it has authentication on). */
    HttpConnection connect() {
        return new HttpConnection(base, null, auth);
    }

    /** The administrator's password of the Stowage instances the bench starts with authentication on. */
    static final String ADMIN_PASSWORD = "stowage-bench-admin-password";

    /** The administrator's Basic credentials, for the admin API (projects, reports) of the Stowage instances started. */
    static String adminBasic() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Stowage as README starts it: authentication on, the administrator's password from STOWAGE_ADMIN_PASSWORD, and
     * the bench signing in with it through the token flow; with {@code open}, authentication off.
     */
    static RegistryProcess startStowage(Path jar, Path dir, String name, boolean open) throws Exception {
        RegistryProcess started = startStowage(jar, dir, name, open ? Map.of("STOWAGE_AUTH_ENABLED", "false")
                : Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        if (open) return started;
        return new RegistryProcess(started.name, started.base, started.process, new TokenAuth(started.base, "admin", ADMIN_PASSWORD));
    }

    /** Stowage with {@code env} over the bench's defaults; clients connect without signing in. */
    static RegistryProcess startStowage(Path jar, Path dir, String name, Map<String, String> env) throws Exception {
        int port = freePort();
        return started(name, port, stowage(jar, dir, port, env).start(), dir.resolve("stowage.log"));
    }

    /** How the bench starts Stowage: as the launcher does, data under {@code dir}/stowage, log in {@code dir}. */
    static ProcessBuilder stowage(Path jar, Path dir, int port, Map<String, String> env) throws IOException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        ProcessBuilder pb = new ProcessBuilder(StowageLaunch.command(java, jar, List.of("serve")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stowage.log").toFile()));
        pb.environment().put("STOWAGE_HTTP_PORT", Integer.toString(port));
        pb.environment().put("STOWAGE_HTTP_HOST", "127.0.0.1");
        pb.environment().put("STOWAGE_STORAGE_PATH", Files.createDirectories(dir.resolve("stowage")).toString());
        pb.environment().putAll(env);
        return pb;
    }

    static RegistryProcess startDistribution(Path binary, Path dir) throws Exception {
        int port = freePort();
        return started("distribution", port, distribution(binary, dir, port).start(), dir.resolve("distribution.log"));
    }

    /** How the bench starts Distribution: filesystem storage under {@code dir}/distribution, deletes enabled. */
    static ProcessBuilder distribution(Path binary, Path dir, int port) throws IOException {
        Path config = dir.resolve("distribution.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  cache:
                    blobdescriptor: inmemory
                http:
                  addr: 127.0.0.1:%d
                """.formatted(Files.createDirectories(dir.resolve("distribution")), port));
        return new ProcessBuilder(List.of(binary.toString(), "serve", config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("distribution.log").toFile()));
    }

    private static RegistryProcess started(String name, int port, Process p, Path log) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
            try (HttpConnection c = new HttpConnection(base)) {
                int status = c.send("GET", "/v2/", java.util.Map.of(), null, false, null).status();
                if (status == 200 || status == 401) { // 401: authentication is on
                    return new RegistryProcess(name, base, p, null);
                }
            } catch (IOException e) {
                // not yet listening
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not become ready:\n" + Files.readString(log));
    }

    /** CPU seconds (user + system) the process has used, if the bench started it. */
    Optional<Double> cpuSeconds() {
        if (process == null) return Optional.empty();
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return Optional.of(ticks / 100.0);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * CPU seconds (user + system) used by the process's threads whose name starts with {@code prefix} (Linux shows the
     * first 15 characters of a Java thread's name), if the bench started it.
     */
    Optional<Double> threadCpuSeconds(String prefix) {
        if (process == null) return Optional.empty();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            long ticks = 0;
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).strip().startsWith(prefix)) continue;
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException e) {
                    // the thread ended while listed
                }
            }
            return Optional.of(ticks / 100.0);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Peak resident memory in MiB (VmHWM), if the bench started it. */
    Optional<Double> peakRssMiB() {
        if (process == null) return Optional.empty();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
