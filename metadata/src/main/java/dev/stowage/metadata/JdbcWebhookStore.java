package dev.stowage.metadata;

import dev.stowage.core.event.ClaimedDelivery;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.EncodedEvent;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.TimeOrderedIds;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.event.WebhookDelivery.Status;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.core.spi.WebhookStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Webhooks and their delivery queue in the metadata database (and its pool and write queue).
 *
 * <p>Claiming is one write transaction: select the due rows, then push their {@code next_attempt_at} to the end of
 * the lease. On PostgreSQL the select says {@code FOR UPDATE OF d SKIP LOCKED}, so nodes claiming at the same time
 * take disjoint rows without waiting for each other; SQLite has one writer at a time, which is enough. The lease
 * end doubles as the claim's fencing token: an attempt is recorded only where {@code next_attempt_at} and
 * {@code attempts} are still what the claim saw.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final String WEBHOOK_COLUMNS = "w.id, w.project, w.target_url, w.event_types, w.secret, w.enabled, w.created_at";
    private static final String DELIVERY_COLUMNS = "d.id, d.webhook_id, d.event_id, d.event_type, d.payload, d.status, "
            + "d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at, d.redelivery_of";
    private static final String INSERT_DELIVERY = "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, "
            + "payload, status, attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at, redelivery_of) "
            + "VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, 0, '', ?, ?, ?)";
    /** The claim still holds: same lease end, no attempt recorded since. */
    private static final String CLAIM_HOLDS = " WHERE id = ? AND status = 'PENDING' AND next_attempt_at = ? AND attempts = ?";

    private final JdbcMetadataStore db;
    /** Seals the hooks' HMAC keys (they must stay readable to sign, so they cannot be hashed). */
    private final SecretSealer sealer;

    /** Secrets sealed with a key that lives only as long as this JVM: for tests and in-process tools. */
    public JdbcWebhookStore(JdbcMetadataStore db) {
        this(db, SealedColumns.EPHEMERAL);
    }

    public JdbcWebhookStore(JdbcMetadataStore db, SecretSealer sealer) {
        this.db = db;
        this.sealer = sealer;
    }

    /** Seals secrets written in plaintext before sealing existed (idempotent, one transaction); answers how many. */
    public int sealPlaintextSecrets() {
        return db.write(c -> SealedColumns.sealPlaintext(c, sealer, "webhooks", "id", "secret"));
    }

    private static String secretWhere(String webhookId) {
        return SealedColumns.where("webhooks", "secret", webhookId);
    }

    // --- webhooks -------------------------------------------------------------------------------------------

    @Override
    public boolean createWebhook(Webhook w) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO webhooks (id, project, target_url, event_types, "
                    + "secret, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                s.setString(1, w.id());
                s.setString(2, w.project());
                s.setString(3, w.targetUrl());
                s.setString(4, encode(w.events()));
                s.setString(5, sealer.seal(w.secret(), secretWhere(w.id())));
                s.setInt(6, w.enabled() ? 1 : 0);
                s.setLong(7, w.createdAt().toEpochMilli());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Webhook> findWebhook(String id) {
        return db.read(c -> findWebhook(c, id));
    }

    private Optional<Webhook> findWebhook(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + WEBHOOK_COLUMNS + " FROM webhooks w WHERE w.id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(webhook(r, 1)) : Optional.empty();
            }
        }
    }

    @Override
    public List<Webhook> listWebhooks(Optional<String> project) {
        return db.read(c -> listWebhooks(c, project, false));
    }

    private List<Webhook> listWebhooks(Connection c, Optional<String> project, boolean enabledOnly) throws SQLException {
        String sql = "SELECT " + WEBHOOK_COLUMNS + " FROM webhooks w WHERE " + (project.isPresent() ? "w.project = ?" : "1 = 1")
                + (enabledOnly ? " AND w.enabled = 1" : "") + " ORDER BY w.created_at, w.id";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (project.isPresent()) s.setString(1, project.get());
            List<Webhook> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(webhook(r, 1));
            }
            return out;
        }
    }

    @Override
    public boolean updateWebhook(Webhook w) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE webhooks SET target_url = ?, event_types = ?, secret = ?, enabled = ? WHERE id = ?")) {
                s.setString(1, w.targetUrl());
                s.setString(2, encode(w.events()));
                s.setString(3, sealer.seal(w.secret(), secretWhere(w.id())));
                s.setInt(4, w.enabled() ? 1 : 0);
                s.setString(5, w.id());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deleteWebhook(String id) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM webhooks WHERE id = ?")) {
                s.setString(1, id);
                return s.executeUpdate() == 1; // deliveries and attempts go with it (ON DELETE CASCADE)
            }
        });
    }

    // --- the queue ------------------------------------------------------------------------------------------

    @Override
    public List<WebhookDelivery> enqueue(List<EncodedEvent> events, Instant now) {
        if (events.isEmpty()) return List.of();
        return db.write(c -> {
            Map<Optional<String>, List<Webhook>> hooksByProject = new HashMap<>();
            List<WebhookDelivery> made = new ArrayList<>();
            for (EncodedEvent e : events) {
                if (e.project() == null) continue; // no project's event: no project webhook receives it
                Optional<String> scope = Optional.of(e.project());
                List<Webhook> candidates = hooksByProject.get(scope);
                if (candidates == null) {
                    candidates = listWebhooks(c, scope, true);
                    hooksByProject.put(scope, candidates);
                }
                for (Webhook w : candidates) {
                    if (w.wants(e.type(), e.project())) made.add(pending(w.id(), e.eventId(), e.type(), e.body(), now, null));
                }
            }
            insert(c, made);
            return made;
        });
    }

    @Override
    public Optional<WebhookDelivery> enqueueTo(String webhookId, EncodedEvent event, Instant now) {
        return db.write(c -> {
            if (findWebhook(c, webhookId).isEmpty()) return Optional.empty();
            WebhookDelivery d = pending(webhookId, event.eventId(), event.type(), event.body(), now, null);
            insert(c, List.of(d));
            return Optional.of(d);
        });
    }

    private static WebhookDelivery pending(String webhookId, String eventId, RegistryEvent.Type type, byte[] payload,
                                           Instant now, String redeliveryOf) {
        Instant at = Instant.ofEpochMilli(now.toEpochMilli()); // what the database keeps
        return new WebhookDelivery(TimeOrderedIds.next(), webhookId, eventId, type, payload, Status.PENDING, 0, at, 0, "",
                at, at, redeliveryOf);
    }

    private static void insert(Connection c, List<WebhookDelivery> deliveries) throws SQLException {
        if (deliveries.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement(INSERT_DELIVERY)) {
            for (WebhookDelivery d : deliveries) {
                s.setString(1, d.id());
                s.setString(2, d.webhookId());
                s.setString(3, d.eventId());
                s.setString(4, d.eventType().name());
                s.setBytes(5, d.payload());
                s.setLong(6, d.nextAttemptAt().toEpochMilli());
                s.setLong(7, d.createdAt().toEpochMilli());
                s.setLong(8, d.updatedAt().toEpochMilli());
                s.setString(9, d.redeliveryOf());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    @Override
    public List<ClaimedDelivery> claimDue(Instant now, int limit, Instant leaseUntil) {
        if (limit <= 0) return List.of();
        String sql = "SELECT " + DELIVERY_COLUMNS + ", " + WEBHOOK_COLUMNS + " FROM webhook_deliveries d "
                + "JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? "
                + "ORDER BY d.next_attempt_at, d.id LIMIT ?"
                + (db.dialect().equals("postgresql") ? " FOR UPDATE OF d SKIP LOCKED" : "");
        long lease = leaseUntil.toEpochMilli();
        return db.write(c -> {
            List<ClaimedDelivery> claimed = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, now.toEpochMilli());
                s.setInt(2, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        WebhookDelivery d = delivery(r);
                        claimed.add(new ClaimedDelivery(withNextAttempt(d, Instant.ofEpochMilli(lease)), webhook(r, 14)));
                    }
                }
            }
            if (claimed.isEmpty()) return claimed;
            try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?")) {
                for (ClaimedDelivery cd : claimed) {
                    s.setLong(1, lease);
                    s.setString(2, cd.delivery().id());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return claimed;
        });
    }

    @Override
    public boolean recordAttempt(WebhookDelivery claimed, DeliveryAttempt attempt, Status status, Instant nextAttemptAt) {
        if (attempt.number() != claimed.attempts() + 1 || !attempt.deliveryId().equals(claimed.id())) {
            throw new IllegalArgumentException("attempt " + attempt.number() + " does not follow the " + claimed.attempts()
                    + " of delivery " + claimed.id());
        }
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, "
                    + "next_attempt_at = ?, last_status_code = ?, last_error = ?, updated_at = ?" + CLAIM_HOLDS)) {
                s.setString(1, status.name());
                s.setLong(2, nextAttemptAt.toEpochMilli());
                s.setInt(3, attempt.statusCode());
                s.setString(4, attempt.error());
                s.setLong(5, attempt.at().toEpochMilli());
                s.setString(6, claimed.id());
                s.setLong(7, claimed.nextAttemptAt().toEpochMilli());
                s.setInt(8, claimed.attempts());
                if (s.executeUpdate() != 1) return false;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO webhook_attempts (delivery_id, number, at, status_code, "
                    + "error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, claimed.id());
                s.setInt(2, attempt.number());
                s.setLong(3, attempt.at().toEpochMilli());
                s.setInt(4, attempt.statusCode());
                s.setString(5, attempt.error());
                s.setLong(6, attempt.duration().toMillis());
                s.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean release(WebhookDelivery claimed, Instant now) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET next_attempt_at = ?" + CLAIM_HOLDS)) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, claimed.id());
                s.setLong(3, claimed.nextAttemptAt().toEpochMilli());
                s.setInt(4, claimed.attempts());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<WebhookDelivery> redeliver(String deliveryId, Instant now) {
        return db.write(c -> {
            Optional<WebhookDelivery> original = findDelivery(c, deliveryId);
            if (original.isEmpty()) return Optional.empty();
            WebhookDelivery o = original.get();
            WebhookDelivery again = pending(o.webhookId(), o.eventId(), o.eventType(), o.payload(), now, o.id());
            insert(c, List.of(again));
            return Optional.of(again);
        });
    }

    // --- the log --------------------------------------------------------------------------------------------

    @Override
    public Optional<WebhookDelivery> findDelivery(String id) {
        return db.read(c -> findDelivery(c, id));
    }

    private static Optional<WebhookDelivery> findDelivery(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries d WHERE d.id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(delivery(r)) : Optional.empty();
            }
        }
    }

    @Override
    public List<WebhookDelivery> deliveries(String webhookId, Optional<String> before, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries d "
                    + "WHERE d.webhook_id = ?" + (before.isPresent() ? " AND d.id < ?" : "") + " ORDER BY d.id DESC LIMIT ?")) {
                int i = 1;
                s.setString(i++, webhookId);
                if (before.isPresent()) s.setString(i++, before.get());
                s.setInt(i, limit);
                List<WebhookDelivery> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(delivery(r));
                }
                return out;
            }
        });
    }

    @Override
    public List<DeliveryAttempt> attempts(String deliveryId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT number, at, status_code, error, duration_ms "
                    + "FROM webhook_attempts WHERE delivery_id = ? ORDER BY number")) {
                s.setString(1, deliveryId);
                List<DeliveryAttempt> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new DeliveryAttempt(deliveryId, r.getInt(1), Instant.ofEpochMilli(r.getLong(2)), r.getInt(3),
                                r.getString(4), Duration.ofMillis(r.getLong(5))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public int purgeFinished(Instant cutoff, int limit) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM "
                    + "webhook_deliveries WHERE status <> 'PENDING' AND updated_at < ? LIMIT ?)")) {
                s.setLong(1, cutoff.toEpochMilli());
                s.setInt(2, limit);
                return s.executeUpdate();
            }
        });
    }

    // --- rows -----------------------------------------------------------------------------------------------

    static String encode(Set<RegistryEvent.Type> events) {
        return events.stream().map(Enum::name).collect(Collectors.joining(","));
    }

    static Set<RegistryEvent.Type> decode(String text) {
        Set<RegistryEvent.Type> out = EnumSet.noneOf(RegistryEvent.Type.class);
        // A name this version does not know (written by a newer node) is skipped, not fatal.
        for (String name : text.split(",")) RegistryEvent.Type.parse(name).ifPresent(out::add);
        return out;
    }

    private Webhook webhook(ResultSet r, int first) throws SQLException {
        String id = r.getString(first);
        return new Webhook(id, r.getString(first + 1), r.getString(first + 2), decode(r.getString(first + 3)),
                sealer.open(r.getString(first + 4), secretWhere(id)), r.getInt(first + 5) == 1,
                Instant.ofEpochMilli(r.getLong(first + 6)));
    }

    private static WebhookDelivery delivery(ResultSet r) throws SQLException {
        return new WebhookDelivery(r.getString(1), r.getString(2), r.getString(3), RegistryEvent.Type.valueOf(r.getString(4)),
                r.getBytes(5), Status.valueOf(r.getString(6)), r.getInt(7), Instant.ofEpochMilli(r.getLong(8)), r.getInt(9),
                r.getString(10), Instant.ofEpochMilli(r.getLong(11)), Instant.ofEpochMilli(r.getLong(12)), r.getString(13));
    }

    private static WebhookDelivery withNextAttempt(WebhookDelivery d, Instant next) {
        return new WebhookDelivery(d.id(), d.webhookId(), d.eventId(), d.eventType(), d.payload(), d.status(), d.attempts(),
                next, d.lastStatusCode(), d.lastError(), d.createdAt(), d.updatedAt(), d.redeliveryOf());
    }
}
