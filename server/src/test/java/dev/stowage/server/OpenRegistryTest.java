package dev.stowage.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Tests against a fresh {@link TestRegistry} (open to all) in a temporary directory, started for each test. */
abstract class OpenRegistryTest {
    @TempDir Path root;
    TestRegistry registry;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = new TestRegistry(root);
    }

    @AfterEach
    void stopRegistry() throws Exception {
        registry.close();
    }
}
