package dev.stowage.it.adversarial;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** An attack class's target: the real registry with its cast, started once per class (see {@link Target}). */
abstract class AttackTest {
    @TempDir static Path dir;
    static Target target;

    @BeforeAll
    static void startTarget() throws Exception {
        target = Target.start(dir, Map.of());
    }

    @AfterAll
    static void stopTarget() throws Exception {
        if (target != null) target.close();
        target = null;
    }
}
