package dev.stowage.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finding and running the real command-line clients. */
public final class Clients {
    private Clients() {}

    /**
     * The client must be installed: locally a missing one skips the test with a message naming the package; under
     * CI ({@code CI=true}) it fails the test, because CI installs every client.
     */
    public static void require(String binary, String aptPackage) {
        boolean present = onPath(binary);
        String message = binary + " is not installed (apt-get install " + aptPackage + ")";
        if (!present && "true".equals(System.getenv("CI"))) fail(message);
        assumeTrue(present, message);
    }

    public static boolean onPath(String binary) {
        if (binary.startsWith("/")) return Files.isExecutable(Path.of(binary));
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) return true;
        }
        return Files.isExecutable(Path.of("/usr/sbin", binary)) || Files.isExecutable(Path.of("/sbin", binary));
    }

    public record Result(int exitCode, String output) {
        public Result ok() {
            if (exitCode != 0) throw new AssertionError("exit " + exitCode + ":\n" + output);
            return this;
        }

        /** The output without its first line (the command line {@link #run} writes first). */
        public String afterCommandLine() {
            return output.substring(output.indexOf('\n') + 1);
        }

        /** The output after the command line, read as JSON (a command run with {@code --output json}). */
        public com.fasterxml.jackson.databind.JsonNode json() throws IOException {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(afterCommandLine());
        }
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of(), 300);
    }

    public static Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Path out = Files.createTempFile("client-", ".out");
        builder.redirectOutput(out.toFile());
        Process p = builder.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        if (!done) throw new AssertionError("timed out after " + timeoutSeconds + "s: " + String.join(" ", command) + "\n" + output);
        return new Result(p.exitValue(), String.join(" ", command) + "\n" + output);
    }

    public static List<String> cmd(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
