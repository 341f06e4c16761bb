package dev.stowage.core.spi;

import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The audit trail, append-only and hash-chained. */
public interface AuditStore {
    /** Appends events in order in one transaction, continuing the chain; answers the records written. */
    List<AuditRecord> append(List<AuditEvent> events);

    /** Records after {@code afterSequence}, oldest first, filtered by the given fields when present. */
    List<AuditRecord> query(long afterSequence, int limit, Optional<String> actor, Optional<String> action,
                            Optional<String> repository, Optional<Instant> since, Optional<Instant> until);
}
