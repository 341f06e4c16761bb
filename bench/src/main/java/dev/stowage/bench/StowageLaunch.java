package dev.stowage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How Stowage is started, the way the launcher ({@code ./stowage}) starts it: with the JVM settings in
 * {@code jvm.options} beside the jar and, when the build made one for this JDK, the AOT cache {@code stowage.aot}
 * beside it too. The bench and the integration tests start it through here, so what they measure and test is
 * what users run.
 */
public final class StowageLaunch {
    public static final String OPTIONS_FILE = "jvm.options";
    public static final String AOT_CACHE_FILE = "stowage.aot";

    private StowageLaunch() {
    }

    /** {@code java @jvm.options [-XX:AOTCache=...] -jar stowage.jar args...} */
    public static List<String> command(Path java, Path jar, List<String> args) {
        Path dir = jar.toAbsolutePath().getParent();
        Path options = dir.resolve(OPTIONS_FILE);
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " is missing: build the jar with ./mvnw install (it is copied "
                    + "there from app/src/main/launch)");
        }
        List<String> command = new ArrayList<>(List.of(java.toString(), "@" + options));
        Path aot = dir.resolve(AOT_CACHE_FILE);
        if (Files.isRegularFile(aot) && featureVersion(java) >= 25) {
            // A cache from another JDK or jar build is ignored; quietly (the JDK would print errors and go on without it).
            command.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
        }
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        return command;
    }

    /**
     * The JDK's feature release (17, 21, 25...) as its release file says ({@code java} may be a link, such as
     * /usr/bin/java, to the JDK's bin/java), or 0 when it cannot be read.
     */
    static int featureVersion(Path java) {
        try {
            Path release = java.toRealPath().getParent().resolveSibling("release");
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
