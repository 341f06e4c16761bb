package dev.stowage.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.stowage.core.spi.IdentityStore;
import dev.stowage.core.spi.StoredSigningKey;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The keys that sign registry tokens: the newest active key signs; retired keys still verify until their grace
 * period ends, so rotating never invalidates tokens already handed out. Kept in the identity store, so every node
 * signs and verifies with the same keys; a node that meets an unknown key id reloads (at most once a second), so
 * a rotation on one node is seen by the others. Thread-safe.
 */
public final class SigningKeys {
    public record Key(ECKey jwk, Instant createdAt, Instant retiredAt) {
        public String id() { return jwk.getKeyID(); }
    }

    private final IdentityStore store;
    private final Clock clock;
    private final Duration grace;
    /** Replaced whole on reload: read without the lock by {@link #stillVerifies}. */
    private volatile List<Key> keys = List.of();
    private Instant lastLoad = Instant.EPOCH;

    private SigningKeys(IdentityStore store, Clock clock, Duration grace) {
        this.store = store;
        this.clock = clock;
        this.grace = grace;
    }

    /** Keys shared through {@code store}; the first node to start creates the first key. */
    public static SigningKeys shared(IdentityStore store, Clock clock, Duration grace) {
        SigningKeys keys = new SigningKeys(store, clock, grace);
        keys.reload();
        if (keys.active().isEmpty()) {
            store.addSigningKey(keys.newStoredKey());
            keys.reload();
        }
        return keys;
    }

    /** The key that signs now: the newest active one (two nodes starting at once may each add one; both verify). */
    public synchronized Key current() {
        return active().stream().max(Comparator.comparing(Key::createdAt).thenComparing(Key::id))
                .orElseThrow(() -> new IllegalStateException("no active signing key"));
    }

    /** Makes a new key current and retires the others, which verify for the grace period. Answers the new id. */
    public synchronized String rotate() {
        StoredSigningKey fresh = newStoredKey();
        store.addSigningKey(fresh);
        store.retireSigningKeysExcept(fresh.keyId(), clock.instant());
        store.deleteSigningKeysRetiredBefore(clock.instant().minus(grace));
        reload();
        return fresh.keyId();
    }

    /** The key with this id, if it may verify tokens now. */
    public synchronized Optional<ECKey> verificationKey(String keyId) {
        Optional<Key> found = usable(keyId);
        if (found.isEmpty() && clock.instant().isAfter(lastLoad.plusSeconds(1))) {
            reload();
            found = usable(keyId);
        }
        return found.map(Key::jwk);
    }

    /**
     * Whether the key with this id, known to this node, still verifies now: without the lock or a reload, for the
     * request path's cached tokens (a key this node has not loaded is not known here, and the full check loads it).
     */
    public boolean stillVerifies(String keyId) {
        for (Key key : keys) {
            if (key.id().equals(keyId)) return verifies(key);
        }
        return false;
    }

    /** Ids of every key that verifies now, current first. */
    public synchronized List<String> activeKeyIds() {
        List<String> ids = new ArrayList<>();
        String current = current().id();
        ids.add(current);
        keys.stream().filter(this::verifies).map(Key::id).filter(id -> !id.equals(current)).forEach(ids::add);
        return ids;
    }

    private Optional<Key> usable(String keyId) {
        return keys.stream().filter(k -> k.id().equals(keyId)).filter(this::verifies).findFirst();
    }

    private boolean verifies(Key key) {
        return key.retiredAt() == null || key.retiredAt().plus(grace).isAfter(clock.instant());
    }

    private List<Key> active() {
        return keys.stream().filter(k -> k.retiredAt() == null).toList();
    }

    private synchronized void reload() {
        List<Key> loaded = new ArrayList<>();
        for (StoredSigningKey stored : store.signingKeys()) {
            try {
                loaded.add(new Key(ECKey.parse(stored.privateJwk()), stored.createdAt(), stored.retiredAt()));
            } catch (ParseException e) {
                throw new IllegalStateException("signing key " + stored.keyId() + " is not a valid JWK", e);
            }
        }
        keys = List.copyOf(loaded);
        lastLoad = clock.instant();
    }

    private StoredSigningKey newStoredKey() {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
            return new StoredSigningKey(key.getKeyID(), key.toJSONString(), clock.instant(), null);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }
}
