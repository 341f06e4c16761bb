package dev.stowage.scanner;

import java.time.Instant;
import java.util.Optional;

/** A vulnerability (CVE or advisory id) accepted despite the pull policy, until it expires. */
public record AllowlistEntry(String vulnerability, Optional<Instant> expiresAt, String comment) {
    public boolean activeAt(Instant now) {
        return expiresAt.map(now::isBefore).orElse(true);
    }
}
