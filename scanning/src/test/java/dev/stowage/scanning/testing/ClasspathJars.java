package dev.stowage.scanning.testing;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real jars the build itself resolved: those on this module's test classpath, found through a class they hold, and
 * the local Maven repository they came from (whatever {@code maven.repo.local} or {@code ~/.m2} it is).
 */
public final class ClasspathJars {
    private ClasspathJars() {
    }

    /** The jar a class was loaded from. */
    public static Path of(Class<?> type) {
        try {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
                throw new IllegalStateException(type.getName() + " was not loaded from a jar but from " + location);
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The local repository: jackson-databind's jar is at {@code <repository>/com/fasterxml/jackson/core/jackson-databind/<version>/}. */
    public static Path localRepository() {
        Path jar = of(ObjectMapper.class);
        Path artifact = jar.getParent().getParent();
        Path repository = artifact.getParent().getParent().getParent().getParent().getParent();
        if (!repository.resolve("com/fasterxml/jackson/core/jackson-databind").equals(artifact)) {
            throw new IllegalStateException(jar + " is not in a Maven repository layout");
        }
        return repository;
    }
}
