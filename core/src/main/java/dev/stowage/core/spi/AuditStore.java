package dev.stowage.core.spi;

import dev.stowage.core.audit.AuditCheckpoint;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The audit trail, append-only and hash-chained, and the signed checkpoints that anchor it. */
public interface AuditStore {
    /** Appends events in order in one transaction, continuing the chain; answers the records written. */
    List<AuditRecord> append(List<AuditEvent> events);

    /** Records after {@code afterSequence}, oldest first, filtered by the given fields when present. */
    List<AuditRecord> query(long afterSequence, int limit, Optional<String> actor, Optional<String> action,
                            Optional<String> repository, Optional<Instant> since, Optional<Instant> until);

    /** The newest record, the chain's head; empty while the trail is empty. */
    Optional<AuditRecord> head();

    /**
     * Keeps a signed checkpoint (storing one again is a no-op). A convenience copy: whoever can write the database
     * can delete these, so verification trusts a checkpoint for its signature only.
     */
    void saveCheckpoint(AuditCheckpoint checkpoint);

    /** Stored checkpoints, the highest sequence first. */
    List<AuditCheckpoint> checkpoints(int limit);
}
