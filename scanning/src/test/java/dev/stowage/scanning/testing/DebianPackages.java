package dev.stowage.scanning.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This machine's Debian packages, as dpkg records them: the tests read versions and paths from here rather than
 * writing them down, so a Debian point release that updates a package changes what they expect with it. Each package
 * a test uses is in .ci/run's apt list.
 */
public final class DebianPackages {
    private static final Pattern GO_TOOLCHAIN = Pattern.compile("\\bgolang-1\\.\\d+ \\(= ([^)]+)\\)");

    private DebianPackages() {
    }

    /** A file of an installed package (a missing package skips the test, or fails it under CI). */
    public static Path file(String debianPackage, String path) {
        requireInstalled(debianPackage);
        Path file = Path.of(path);
        if (!Files.exists(file)) {
            throw new IllegalStateException(debianPackage + " is installed but has no " + path);
        }
        return file;
    }

    /** The one file of an installed package whose path matches {@code regex} ({@code dpkg -L}). */
    public static Path fileMatching(String debianPackage, String regex) {
        requireInstalled(debianPackage);
        Pattern pattern = Pattern.compile(regex);
        List<String> matching = run("dpkg", "-L", debianPackage).lines().filter(l -> pattern.matcher(l).matches()).toList();
        if (matching.size() != 1) {
            throw new IllegalStateException("dpkg -L " + debianPackage + " lists " + matching + " for " + regex);
        }
        return Path.of(matching.get(0));
    }

    /** The package's version, e.g. {@code 23.0.1+dfsg-1}. */
    public static String version(String debianPackage) {
        requireInstalled(debianPackage);
        return run("dpkg-query", "-W", "-f=${Version}", debianPackage).strip();
    }

    /** The upstream version in the package's: without epoch, Debian revision and repack suffix ({@code +dfsg}, {@code +ds}). */
    public static String upstreamVersion(String debianPackage) {
        return upstream(version(debianPackage));
    }

    static String upstream(String debianVersion) {
        String version = debianVersion.replaceFirst("^\\d+:", "");
        int revision = version.lastIndexOf('-');
        if (revision > 0) {
            version = version.substring(0, revision);
        }
        return version.replaceFirst("\\+(dfsg|ds)\\d*$", "");
    }

    /** The Go toolchain a package was built with, from its {@code Built-Using: golang-1.19 (= 1.19.8-2)}: {@code 1.19.8}. */
    public static String goToolchain(String debianPackage) {
        requireInstalled(debianPackage);
        String builtUsing = run("dpkg-query", "-W", "-f=${Built-Using}", debianPackage);
        Matcher golang = GO_TOOLCHAIN.matcher(builtUsing);
        if (!golang.find()) {
            throw new IllegalStateException(debianPackage + " is not built using a golang-1.x package: " + builtUsing);
        }
        return upstream(golang.group(1));
    }

    private static void requireInstalled(String debianPackage) {
        String status;
        try {
            status = run("dpkg-query", "-W", "-f=${Status}", debianPackage);
        } catch (IllegalStateException notKnown) {
            status = "";
        }
        if (!status.equals("install ok installed")) {
            throw Required.missing("the Debian package " + debianPackage + " is not installed (apt-get install "
                    + debianPackage + "; .ci/run installs it)");
        }
    }

    private static String run(String... command) {
        return Commands.output(command);
    }
}
