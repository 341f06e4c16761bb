package dev.stowage.scanning.version;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Test data files (upstream test tables, their source noted in each file) and the package managers' own tools. */
final class Fixtures {
    private Fixtures() {
    }

    /** The non-blank, non-comment ({@code #}) lines of a test resource. */
    static List<String> lines(String resource) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/versions/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    /** Skips the test when a tool is missing, except under CI, where a missing tool is a failure. */
    static void requireExecutable(String path, String why) {
        if (!Files.isExecutable(Path.of(path))) {
            String reason = path + " is not installed: " + why;
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and " + reason);
            }
            Assumptions.abort(reason);
        }
    }

    /** The first of the commands that succeeds (exit 0) as a probe; skips (or, under CI, fails) when none does. */
    static List<String> firstWorking(List<List<String>> candidates, String why) {
        for (List<String> command : candidates) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0) {
                    return command;
                }
                p.destroyForcibly();
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        String reason = "none of " + candidates + " works: " + why;
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true and " + reason);
        }
        Assumptions.abort(reason);
        return null;
    }

    /** Runs a command with the given standard input and returns its standard output lines (it must exit 0). */
    static List<String> run(List<String> command, String input) throws IOException, InterruptedException {
        Path in = Files.createTempFile("versions", ".in");
        Path out = Files.createTempFile("versions", ".out");
        try {
            Files.writeString(in, input);
            Process p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail(command + " failed");
            }
            return Files.readAllLines(out);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    static int sign(int c) {
        return Integer.compare(c, 0);
    }
}
