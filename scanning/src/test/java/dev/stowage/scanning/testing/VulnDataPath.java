package dev.stowage.scanning.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared public vulnerability data is (see its README.md): {@code ../shared/vulndata} beside the checkout.
 * Maven's surefire passes it as the system property {@code stowage.vulndata}; a test started another way (an IDE)
 * finds it by walking up from the working directory to a folder that has {@code shared/vulndata}.
 */
public final class VulnDataPath {
    public static final String PROPERTY = "stowage.vulndata";

    private VulnDataPath() {
    }

    public static Path root() {
        String configured = System.getProperty(PROPERTY, "");
        if (!configured.isBlank()) {
            return checked(Path.of(configured).toAbsolutePath().normalize(), "-D" + PROPERTY + "=" + configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("vulndata");
            if (Files.isDirectory(candidate)) {
                return checked(candidate, "found above " + Path.of("").toAbsolutePath());
            }
        }
        throw new IllegalStateException("no shared/vulndata above " + Path.of("").toAbsolutePath()
                + ": put the shared data at ../shared/vulndata beside the checkout, or set -D" + PROPERTY + "=<dir>");
    }

    private static Path checked(Path root, String how) {
        if (!Files.isRegularFile(root.resolve("README.md"))) {
            throw new IllegalStateException(root + " (" + how + ") is not the shared vulnerability data: it has no"
                    + " README.md; put the shared data at ../shared/vulndata beside the checkout");
        }
        return root;
    }
}
