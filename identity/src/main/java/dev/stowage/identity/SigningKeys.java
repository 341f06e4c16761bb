package dev.stowage.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The keys that sign registry tokens: one current key, plus retired keys that still verify until their grace
 * period ends, so rotating the key never invalidates tokens already handed out. Thread-safe.
 */
public final class SigningKeys {
    public record Key(ECKey jwk, Instant retiredAt) {
        public String id() { return jwk.getKeyID(); }
    }

    private final Clock clock;
    private final Duration grace;
    private Key current;
    private final List<Key> retired = new ArrayList<>();

    private SigningKeys(Clock clock, Duration grace, Key current) {
        this.clock = clock;
        this.grace = grace;
        this.current = current;
    }

    /** A fresh key set with one new P-256 key; {@code grace} is how long a rotated-out key keeps verifying. */
    public static SigningKeys generate(Clock clock, Duration grace) {
        return new SigningKeys(clock, grace, new Key(newKey(), null));
    }

    public synchronized Key current() {
        return current;
    }

    /** Makes a new key current; the old one verifies for the grace period. Answers the new key's id. */
    public synchronized String rotate() {
        retired.add(new Key(current.jwk(), clock.instant()));
        current = new Key(newKey(), null);
        prune();
        return current.id();
    }

    /** The key with this id, if it may still verify tokens now. */
    public synchronized Optional<ECKey> verificationKey(String keyId) {
        prune();
        if (current.id().equals(keyId)) return Optional.of(current.jwk());
        return retired.stream().filter(k -> k.id().equals(keyId)).map(Key::jwk).findFirst();
    }

    /** Ids of every key that verifies now, current first. */
    public synchronized List<String> activeKeyIds() {
        prune();
        List<String> ids = new ArrayList<>();
        ids.add(current.id());
        retired.forEach(k -> ids.add(k.id()));
        return ids;
    }

    private void prune() {
        Instant cutoff = clock.instant().minus(grace);
        retired.removeIf(k -> !k.retiredAt().isAfter(cutoff));
    }

    private static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }
}
