package dev.stowage.metadata;

import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Membership;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Session;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.TotpState;
import dev.stowage.core.spi.IdentityStore;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.core.spi.StoredSigningKey;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accounts, projects and memberships in the same database (and pool, and write queue) as the registry metadata. */
public final class JdbcIdentityStore implements IdentityStore {
    private final JdbcMetadataStore db;
    /** Accounts and robots as every authenticated request checks them; see {@link #findAccountForRequest}. */
    private final RequestPathCache<Account> accountsForRequests = new RequestPathCache<>();
    private final RequestPathCache<RobotAccount> robotsForRequests = new RequestPathCache<>();
    /** See {@link #generation()}. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    /** Seals the signing keys' private parts and the TOTP seeds, the secrets this store must keep readable. */
    private final SecretSealer sealer;

    /** Secrets sealed with a key that lives only as long as this JVM: for tests and in-process tools. */
    public JdbcIdentityStore(JdbcMetadataStore db) {
        this(db, SealedColumns.EPHEMERAL);
    }

    public JdbcIdentityStore(JdbcMetadataStore db, SecretSealer sealer) {
        this.db = db;
        this.sealer = sealer;
    }

    /**
     * Seals the secrets written in plaintext before sealing existed, in one transaction (idempotent), and checks
     * that the sealed ones open with this key ({@link SecretSealer.WrongKeyException} if not). Answers how many it
     * sealed.
     */
    public int sealPlaintextSecrets() {
        return db.write(c -> SealedColumns.sealPlaintext(c, sealer, "signing_keys", "key_id", "private_jwk")
                + SealedColumns.sealPlaintext(c, sealer, "accounts", "username", "totp_secret"));
    }

    /**
     * A second's memory of lookups, forgotten whole by every write of this store that changes what it holds (so a
     * deletion or a disable here takes effect at once; other nodes' within the second). A lookup that ran while
     * such a write happened is not kept, so it cannot put back what the write changed.
     */
    private static final class RequestPathCache<V> {
        private static final long TTL_NANOS = 1_000_000_000L;
        private record Entry<V>(Optional<V> value, long loadedAt) {}
        private final java.util.concurrent.ConcurrentHashMap<String, Entry<V>> entries = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

        Optional<V> get(String key, java.util.function.Function<String, Optional<V>> load) {
            long now = System.nanoTime();
            Entry<V> hit = entries.get(key);
            if (hit != null && now - hit.loadedAt() < TTL_NANOS) return hit.value();
            long before = generation.get();
            Optional<V> value = load.apply(key);
            if (entries.size() > 10_000) entries.clear();
            if (generation.get() == before) entries.put(key, new Entry<>(value, now));
            return value;
        }

        /** The cached answer while it is fresh, without loading: empty when there is none. */
        Optional<Optional<V>> peek(String key) {
            Entry<V> hit = entries.get(key);
            return hit != null && System.nanoTime() - hit.loadedAt() < TTL_NANOS ? Optional.of(hit.value()) : Optional.empty();
        }

        void forgetAll() {
            generation.incrementAndGet();
            entries.clear();
        }
    }

    @Override
    public Optional<Account> findAccountForRequest(String username) {
        return accountsForRequests.get(username, this::findAccount);
    }

    @Override
    public Optional<RobotAccount> findRobotForRequest(String name) {
        return robotsForRequests.get(name, this::findRobot);
    }

    @Override
    public Optional<Optional<Account>> findAccountForRequestInMemory(String username) {
        return accountsForRequests.peek(username);
    }

    @Override
    public Optional<Optional<RobotAccount>> findRobotForRequestInMemory(String name) {
        return robotsForRequests.peek(name);
    }

    @Override
    public long generation() {
        return generation.get();
    }

    /**
     * A write that changes what {@link #generation()} counts: counted before it (so that a read overlapping it is not
     * kept as current) and after it.
     */
    private <T> T changing(java.util.function.Supplier<T> write) {
        generation.incrementAndGet();
        try {
            return write.get();
        } finally {
            generation.incrementAndGet();
        }
    }

    /** A write that changes accounts: forgets them after it (and before, for lookups that overlap it). */
    private <T> T changingAccounts(java.util.function.Supplier<T> write) {
        accountsForRequests.forgetAll();
        try {
            return changing(write);
        } finally {
            accountsForRequests.forgetAll();
        }
    }

    private <T> T changingRobots(java.util.function.Supplier<T> write) {
        robotsForRequests.forgetAll();
        try {
            return changing(write);
        } finally {
            robotsForRequests.forgetAll();
        }
    }

    @Override
    public AccountDeletion deleteAccount(String username) {
        return changingAccounts(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT system_admin, (SELECT COUNT(*) FROM accounts other "
                    + "WHERE other.system_admin = 1 AND other.disabled = 0 AND other.username <> ?) FROM accounts WHERE username = ?")) {
                s.setString(1, username);
                s.setString(2, username);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return AccountDeletion.NO_SUCH_ACCOUNT;
                    if (r.getInt(1) == 1 && r.getLong(2) == 0) return AccountDeletion.LAST_SYSTEM_ADMIN;
                }
            }
            // Nothing of the account may outlive it: a later account of the same name inherits none of it.
            for (String table : new String[]{"access_tokens", "sessions", "project_members", "external_identities", "accounts"}) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE username = ?")) {
                    s.setString(1, username);
                    s.executeUpdate();
                }
            }
            return AccountDeletion.DELETED;
        }));
    }

    @Override
    public List<Membership> memberships(String username) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT project, username, role FROM project_members WHERE username = ? ORDER BY project")) {
                s.setString(1, username);
                List<Membership> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new Membership(r.getString(1), r.getString(2), Role.valueOf(r.getString(3))));
                }
                return out;
            }
        });
    }

    private static int flag(boolean value) {
        return value ? 1 : 0;
    }

    private static Account account(ResultSet r) throws SQLException {
        return new Account(r.getString(1), r.getString(2), r.getInt(3) == 1, r.getInt(4) == 1, Instant.ofEpochMilli(r.getLong(5)));
    }

    private static Project project(ResultSet r) throws SQLException {
        return new Project(r.getString(1), r.getInt(2) == 1, Instant.ofEpochMilli(r.getLong(3)), r.getString(4));
    }

    @Override
    public boolean createAccount(Account a) {
        return changingAccounts(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO accounts (username, password_hash, system_admin, "
                    + "disabled, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
                s.setString(1, a.username());
                s.setString(2, a.passwordHash());
                s.setInt(3, flag(a.systemAdmin()));
                s.setInt(4, flag(a.disabled()));
                s.setLong(5, a.createdAt().toEpochMilli());
                return s.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public Optional<Account> findAccount(String username) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT username, password_hash, system_admin, disabled, created_at "
                    + "FROM accounts WHERE username = ?")) {
                s.setString(1, username);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(account(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public long countAccounts() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM accounts");
                 ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    @Override
    public List<Account> listAccounts(String after, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT username, password_hash, system_admin, disabled, created_at "
                    + "FROM accounts WHERE username > ? ORDER BY username LIMIT ?")) {
                s.setString(1, after == null ? "" : after);
                s.setInt(2, limit);
                List<Account> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(account(r));
                }
                return out;
            }
        });
    }

    @Override
    public boolean updatePassword(String username, String passwordHash) {
        return changingAccounts(() -> update("UPDATE accounts SET password_hash = ? WHERE username = ?", passwordHash, username));
    }

    @Override
    public boolean setDisabled(String username, boolean disabled) {
        return changingAccounts(() -> updateFlag("UPDATE accounts SET disabled = ? WHERE username = ?", disabled, username));
    }

    @Override
    public boolean createProject(Project p) {
        return changing(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO projects (name, is_public, created_at, allowed_networks) VALUES (?, ?, ?, ?) "
                            + "ON CONFLICT (name) DO NOTHING")) {
                s.setString(1, p.name());
                s.setInt(2, flag(p.isPublic()));
                s.setLong(3, p.createdAt().toEpochMilli());
                s.setString(4, p.allowedNetworks() == null ? "" : p.allowedNetworks());
                return s.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public Optional<Project> findProject(String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, is_public, created_at, allowed_networks FROM projects WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(project(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean setProjectPublic(String name, boolean isPublic) {
        return changing(() -> updateFlag("UPDATE projects SET is_public = ? WHERE name = ?", isPublic, name));
    }

    @Override
    public boolean setProjectNetworks(String name, String allowedNetworks) {
        return changing(() -> update("UPDATE projects SET allowed_networks = ? WHERE name = ?", allowedNetworks, name));
    }

    @Override
    public List<Project> listProjects(String after, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, is_public, created_at, allowed_networks FROM projects WHERE name > ? ORDER BY name LIMIT ?")) {
                s.setString(1, after == null ? "" : after);
                s.setInt(2, limit);
                List<Project> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(project(r));
                }
                return out;
            }
        });
    }

    @Override
    public void setMember(String project, String username, Role role) {
        changing(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO project_members (project, username, role) "
                    + "VALUES (?, ?, ?) ON CONFLICT (project, username) DO UPDATE SET role = excluded.role, granted_by = NULL")) {
                s.setString(1, project);
                s.setString(2, username);
                s.setString(3, role.name());
                s.executeUpdate();
            }
            return null;
        }));
    }

    @Override
    public boolean removeMember(String project, String username) {
        return changing(() -> update("DELETE FROM project_members WHERE project = ? AND username = ?", project, username));
    }

    @Override
    public Optional<Role> findRole(String project, String username) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT role FROM project_members WHERE project = ? AND username = ?")) {
                s.setString(1, project);
                s.setString(2, username);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(Role.valueOf(r.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<Membership> members(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT project, username, role FROM project_members WHERE project = ? ORDER BY username")) {
                s.setString(1, project);
                List<Membership> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new Membership(r.getString(1), r.getString(2), Role.valueOf(r.getString(3))));
                }
                return out;
            }
        });
    }

    static String encode(List<RobotPermission> permissions) {
        StringBuilder out = new StringBuilder();
        for (RobotPermission p : permissions) {
            if (!out.isEmpty()) out.append(';');
            out.append(p.repositoryPattern()).append('=');
            out.append(String.join(",", p.actions().stream().map(a -> a.name().toLowerCase()).sorted().toList()));
        }
        return out.toString();
    }

    static List<RobotPermission> decode(String text) {
        List<RobotPermission> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        for (String entry : text.split(";")) {
            int eq = entry.lastIndexOf('=');
            java.util.Set<Action> actions = java.util.EnumSet.noneOf(Action.class);
            for (String a : entry.substring(eq + 1).split(",")) if (!a.isEmpty()) actions.add(Action.valueOf(a.toUpperCase()));
            out.add(new RobotPermission(entry.substring(0, eq), actions));
        }
        return out;
    }

    private static RobotAccount robot(ResultSet r) throws SQLException {
        long expires = r.getLong(4);
        Instant expiresAt = r.wasNull() ? null : Instant.ofEpochMilli(expires);
        return new RobotAccount(r.getString(1), r.getString(2), decode(r.getString(3)), expiresAt, r.getInt(5) == 1,
                Instant.ofEpochMilli(r.getLong(6)), r.getString(7));
    }

    @Override
    public boolean createRobot(RobotAccount robot) {
        return changingRobots(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO robots (name, secret_hash, permissions, expires_at, "
                    + "disabled, created_at, project) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                s.setString(1, robot.name());
                s.setString(2, robot.secretHash());
                s.setString(3, encode(robot.permissions()));
                if (robot.expiresAt() == null) s.setNull(4, java.sql.Types.BIGINT); else s.setLong(4, robot.expiresAt().toEpochMilli());
                s.setInt(5, flag(robot.disabled()));
                s.setLong(6, robot.createdAt().toEpochMilli());
                s.setString(7, robot.project());
                return s.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public Optional<RobotAccount> findRobot(String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, secret_hash, permissions, expires_at, disabled, "
                    + "created_at, project FROM robots WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(robot(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<RobotAccount> listRobots() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, secret_hash, permissions, expires_at, disabled, "
                    + "created_at, project FROM robots ORDER BY name");
                 ResultSet r = s.executeQuery()) {
                List<RobotAccount> out = new ArrayList<>();
                while (r.next()) out.add(robot(r));
                return out;
            }
        });
    }

    @Override
    public boolean updateRobotSecret(String name, String secretHash) {
        return changingRobots(() -> update("UPDATE robots SET secret_hash = ? WHERE name = ?", secretHash, name));
    }

    @Override
    public boolean setRobotDisabled(String name, boolean disabled) {
        return changingRobots(() -> updateFlag("UPDATE robots SET disabled = ? WHERE name = ?", disabled, name));
    }

    @Override
    public boolean setRobotExpiry(String name, Instant expiresAt) {
        return changingRobots(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE robots SET expires_at = ? WHERE name = ?")) {
                s.setLong(1, expiresAt.toEpochMilli());
                s.setString(2, name);
                return s.executeUpdate() == 1;
            }
        }));
    }

    @Override
    public boolean deleteRobot(String name) {
        return changingRobots(() -> db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM robots WHERE name = ?")) {
                s.setString(1, name);
                return s.executeUpdate() == 1;
            }
        }));
    }

    private static AccessToken accessToken(ResultSet r) throws SQLException {
        long expires = r.getLong(5);
        Instant expiresAt = r.wasNull() ? null : Instant.ofEpochMilli(expires);
        return new AccessToken(r.getString(1), r.getString(2), r.getString(3), r.getString(4), expiresAt,
                Instant.ofEpochMilli(r.getLong(6)));
    }

    @Override
    public void createAccessToken(AccessToken token) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO access_tokens (id, username, name, secret_hash, "
                    + "expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, token.id());
                s.setString(2, token.username());
                s.setString(3, token.name());
                s.setString(4, token.secretHash());
                if (token.expiresAt() == null) s.setNull(5, java.sql.Types.BIGINT); else s.setLong(5, token.expiresAt().toEpochMilli());
                s.setLong(6, token.createdAt().toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<AccessToken> findAccessToken(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, username, name, secret_hash, expires_at, created_at "
                    + "FROM access_tokens WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(accessToken(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<AccessToken> accessTokens(String username) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, username, name, secret_hash, expires_at, created_at "
                    + "FROM access_tokens WHERE username = ? ORDER BY created_at, id")) {
                s.setString(1, username);
                List<AccessToken> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(accessToken(r));
                }
                return out;
            }
        });
    }

    @Override
    public boolean deleteAccessToken(String username, String id) {
        return update("DELETE FROM access_tokens WHERE username = ? AND id = ?", username, id);
    }

    @Override
    public Optional<TotpState> findTotp(String username) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT totp_secret, totp_enabled, totp_last_step FROM accounts WHERE username = ? AND totp_secret IS NOT NULL")) {
                s.setString(1, username);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new TotpState(sealer.open(r.getString(1), totpWhere(username)),
                            r.getInt(2) == 1, r.getLong(3))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean setTotp(String username, String secret, boolean enabled) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE accounts SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0 WHERE username = ?")) {
                s.setString(1, sealer.seal(secret, totpWhere(username)));
                s.setInt(2, flag(enabled && secret != null));
                s.setString(3, username);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean advanceTotpStep(String username, long step) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE accounts SET totp_last_step = ? WHERE username = ? AND totp_last_step < ?")) {
                s.setLong(1, step);
                s.setString(2, username);
                s.setLong(3, step);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<StoredSigningKey> signingKeys() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT key_id, private_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at, key_id")) {
                List<StoredSigningKey> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long retired = r.getLong(4);
                        Instant retiredAt = r.wasNull() ? null : Instant.ofEpochMilli(retired);
                        String keyId = r.getString(1);
                        out.add(new StoredSigningKey(keyId, sealer.open(r.getString(2), signingKeyWhere(keyId)),
                                Instant.ofEpochMilli(r.getLong(3)), retiredAt));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void addSigningKey(StoredSigningKey key) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO signing_keys (key_id, private_jwk, created_at, retired_at) VALUES (?, ?, ?, NULL)")) {
                s.setString(1, key.keyId());
                s.setString(2, sealer.seal(key.privateJwk(), signingKeyWhere(key.keyId())));
                s.setLong(3, key.createdAt().toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void retireSigningKeysExcept(String keepKeyId, Instant at) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND key_id <> ?")) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, keepKeyId);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void deleteSigningKeysRetiredBefore(Instant cutoff) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM signing_keys WHERE retired_at < ?")) {
                s.setLong(1, cutoff.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    private static String totpWhere(String username) {
        return SealedColumns.where("accounts", "totp_secret", username);
    }

    private static String signingKeyWhere(String keyId) {
        return SealedColumns.where("signing_keys", "private_jwk", keyId);
    }

    private static Instant instantOrNull(ResultSet r, int column) throws SQLException {
        long value = r.getLong(column);
        return r.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static Session session(ResultSet r) throws SQLException {
        return new Session(r.getString(1), r.getString(2), Instant.ofEpochMilli(r.getLong(3)), Instant.ofEpochMilli(r.getLong(4)),
                instantOrNull(r, 5), instantOrNull(r, 6), r.getString(7));
    }

    private static final String SESSION_COLUMNS = "SELECT id, username, issued_at, expires_at, last_used_at, revoked_at, client FROM sessions ";

    @Override
    public void createSession(Session session) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO sessions (id, username, issued_at, expires_at, client) "
                    + "VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, session.id());
                s.setString(2, session.username());
                s.setLong(3, session.issuedAt().toEpochMilli());
                s.setLong(4, session.expiresAt().toEpochMilli());
                s.setString(5, session.client());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Session> findSession(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(SESSION_COLUMNS + "WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(session(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<Session> sessions(String username, Instant now) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(SESSION_COLUMNS + "WHERE username = ? AND expires_at > ? "
                    + "ORDER BY issued_at DESC, id")) {
                s.setString(1, username);
                s.setLong(2, now.toEpochMilli());
                List<Session> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(session(r));
                }
                return out;
            }
        });
    }

    @Override
    public boolean revokeSession(String username, String id, Instant at) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE sessions SET revoked_at = ? WHERE username = ? AND id = ? AND revoked_at IS NULL")) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, username);
                s.setString(3, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int revokeSessions(String username, Instant at) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL AND expires_at > ?")) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, username);
                s.setLong(3, at.toEpochMilli());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void touchSession(String id, Instant at) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE sessions SET last_used_at = ? WHERE id = ?")) {
                s.setLong(1, at.toEpochMilli());
                s.setString(2, id);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void deleteSessionsExpiredBefore(Instant cutoff) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE expires_at < ?")) {
                s.setLong(1, cutoff.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<String> findExternalIdentity(String issuer, String subject) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT username FROM external_identities WHERE issuer = ? AND subject = ?")) {
                s.setString(1, issuer);
                s.setString(2, subject);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean linkExternalIdentity(String issuer, String subject, String username) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO external_identities (issuer, subject, username) "
                    + "VALUES (?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING")) {
                s.setString(1, issuer);
                s.setString(2, subject);
                s.setString(3, username);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean setSystemAdmin(String username, boolean systemAdmin) {
        return changingAccounts(() -> updateFlag("UPDATE accounts SET system_admin = ? WHERE username = ?", systemAdmin, username));
    }

    @Override
    public void syncGrantedMemberships(String username, String grantedBy, Map<String, Role> roles) {
        changing(() -> db.write(c -> {
            List<String> held = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT project FROM project_members WHERE username = ? AND granted_by = ?")) {
                s.setString(1, username);
                s.setString(2, grantedBy);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) held.add(r.getString(1));
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM project_members WHERE username = ? AND granted_by = ? AND project = ?")) {
                for (String project : held) {
                    if (roles.containsKey(project)) continue;
                    s.setString(1, username);
                    s.setString(2, grantedBy);
                    s.setString(3, project);
                    s.executeUpdate();
                }
            }
            // Only projects that exist; an administrator's own grant (granted_by NULL) wins over the mapping.
            try (PreparedStatement s = c.prepareStatement("INSERT INTO project_members (project, username, role, granted_by) "
                    + "SELECT name, ?, ?, ? FROM projects WHERE name = ? ON CONFLICT (project, username) DO UPDATE "
                    + "SET role = excluded.role WHERE project_members.granted_by = excluded.granted_by")) {
                for (var e : roles.entrySet()) {
                    s.setString(1, username);
                    s.setString(2, e.getValue().name());
                    s.setString(3, grantedBy);
                    s.setString(4, e.getKey());
                    s.executeUpdate();
                }
            }
            return null;
        }));
    }

    private boolean updateFlag(String sql, boolean value, String key) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setInt(1, flag(value));
                s.setString(2, key);
                return s.executeUpdate() == 1;
            }
        });
    }

    private boolean update(String sql, String first, String second) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, first);
                s.setString(2, second);
                return s.executeUpdate() == 1;
            }
        });
    }
}
