package dev.stowage.metadata;

import dev.stowage.core.audit.AuditCheckpoint;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.spi.AuditStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The audit trail in the metadata database. Appends are serialized (also across nodes) so the chain stays linear. */
public final class JdbcAuditStore implements AuditStore {
    private final JdbcMetadataStore db;

    public JdbcAuditStore(JdbcMetadataStore db) {
        this.db = db;
    }

    @Override
    public List<AuditRecord> append(List<AuditEvent> events) {
        if (events.isEmpty()) return List.of();
        return db.write(c -> {
            if (db.dialect().equals("postgresql")) {
                try (Statement lock = c.createStatement()) {
                    lock.execute("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE");
                }
            }
            long sequence = 0;
            String previous = AuditRecord.GENESIS;
            try (PreparedStatement s = c.prepareStatement("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
                 ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    sequence = r.getLong(1);
                    previous = r.getString(2);
                }
            }
            List<AuditRecord> written = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_log (sequence, at, actor, source_address, "
                    + "user_agent, action, repository, reference, outcome, detail, previous_hash, hash, digest) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditEvent e : events) {
                    AuditRecord record = AuditRecord.chain(++sequence, e, previous);
                    previous = record.hash();
                    s.setLong(1, record.sequence());
                    s.setLong(2, e.at().toEpochMilli());
                    s.setString(3, nz(e.actor()));
                    s.setString(4, nz(e.sourceAddress()));
                    s.setString(5, nz(e.userAgent()));
                    s.setString(6, nz(e.action()));
                    s.setString(7, nz(e.repository()));
                    s.setString(8, nz(e.reference()));
                    s.setInt(9, e.outcome());
                    s.setString(10, nz(e.detail()));
                    s.setString(11, record.previousHash());
                    s.setString(12, record.hash());
                    s.setString(13, nz(e.digest()));
                    s.addBatch();
                    written.add(record);
                }
                s.executeBatch();
            }
            return written;
        });
    }

    private static final String COLUMNS = "sequence, at, actor, source_address, user_agent, action, repository, "
            + "reference, outcome, detail, previous_hash, hash, digest";

    @Override
    public List<AuditRecord> query(long afterSequence, int limit, Optional<String> actor, Optional<String> action,
                                   Optional<String> repository, Optional<Instant> since, Optional<Instant> until) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE sequence > ?");
        List<Object> parameters = new ArrayList<>(List.of(afterSequence));
        actor.ifPresent(v -> { sql.append(" AND actor = ?"); parameters.add(v); });
        action.ifPresent(v -> { sql.append(" AND action = ?"); parameters.add(v); });
        repository.ifPresent(v -> { sql.append(" AND repository = ?"); parameters.add(v); });
        since.ifPresent(v -> { sql.append(" AND at >= ?"); parameters.add(v.toEpochMilli()); });
        until.ifPresent(v -> { sql.append(" AND at < ?"); parameters.add(v.toEpochMilli()); });
        sql.append(" ORDER BY sequence LIMIT ?");
        parameters.add(limit);
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) s.setObject(i + 1, parameters.get(i));
                List<AuditRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(record(r));
                }
                return out;
            }
        });
    }

    private static AuditRecord record(ResultSet r) throws java.sql.SQLException {
        AuditEvent e = new AuditEvent(Instant.ofEpochMilli(r.getLong(2)), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getInt(9), r.getString(10),
                r.getString(13));
        return new AuditRecord(r.getLong(1), e, r.getString(11), r.getString(12));
    }

    @Override
    public Optional<AuditRecord> head() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log ORDER BY sequence DESC LIMIT 1");
                 ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(record(r)) : Optional.<AuditRecord>empty();
            }
        });
    }

    @Override
    public void saveCheckpoint(AuditCheckpoint checkpoint) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_checkpoint (key_id, sequence, hash, at, signature) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, sequence) DO NOTHING")) {
                s.setString(1, checkpoint.keyId());
                s.setLong(2, checkpoint.sequence());
                s.setString(3, checkpoint.hash());
                s.setLong(4, checkpoint.at().toEpochMilli());
                s.setString(5, checkpoint.signature());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<AuditCheckpoint> checkpoints(int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT sequence, hash, at, key_id, signature FROM audit_checkpoint "
                    + "ORDER BY sequence DESC, at DESC LIMIT ?")) {
                s.setInt(1, limit);
                List<AuditCheckpoint> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new AuditCheckpoint(r.getLong(1), r.getString(2), Instant.ofEpochMilli(r.getLong(3)),
                                r.getString(4), r.getString(5)));
                    }
                }
                return out;
            }
        });
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
