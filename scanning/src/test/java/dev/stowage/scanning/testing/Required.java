package dev.stowage.scanning.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What a test needs from the machine: skipped where it is missing, except under CI (CI=true), where it fails. */
public final class Required {
    private Required() {
    }

    public static RuntimeException missing(String what) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true and " + what);
        }
        Assumptions.abort(what);
        return new IllegalStateException(what); // not reached: both calls above throw
    }
}
