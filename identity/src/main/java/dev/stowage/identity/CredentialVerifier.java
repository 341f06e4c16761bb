package dev.stowage.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks presented secrets (passwords, access-token and robot secrets) against their stored Argon2id hashes
 * without letting the hashing starve the rest of the server. An Argon2id verification costs tens of milliseconds
 * of CPU and 19 MiB; run on the virtual-thread carriers, a few dozen wrong logins stall every pull. So:
 * <ul>
 *   <li>hashes run on a small pool of platform threads of their own (by default half the cores) behind a bounded
 *   queue; past it the caller gets 503 {@code UNAVAILABLE} with {@code Retry-After} at once, and the caller (a
 *   virtual thread) waits for its result parked, not pinning a carrier;</li>
 *   <li>credentials that matched a moment ago are not hashed again (docker and podman send the same Basic
 *   credentials with every token request): a success is remembered under an HMAC, with a random key of this
 *   process, of the kind, subject, stored hash and presented secret. The raw secret is never kept; a new stored
 *   hash (a password change, a rotation) misses the cache; failures are never remembered.</li>
 * </ul>
 */
public final class CredentialVerifier implements AutoCloseable {
    /**
     * @param threads  platform threads that hash (at least 1)
     * @param queue    verifications waiting for a thread; more are refused with 503
     * @param cacheFor how long a verified secret is trusted without hashing again; zero turns the cache off
     */
    public record Settings(int threads, int queue, Duration cacheFor) {
        public Settings {
            if (threads < 1) throw new IllegalArgumentException("hash threads must be at least 1");
            if (queue < 0) throw new IllegalArgumentException("hash queue must not be negative");
            if (cacheFor.isNegative()) throw new IllegalArgumentException("credential cache duration must not be negative");
        }

        /** Half the cores (at least one), 64 waiting, successes trusted for a minute. */
        public static Settings defaults() {
            return new Settings(defaultThreads(), 64, Duration.ofSeconds(60));
        }

        public static int defaultThreads() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }
    }

    private final PasswordHasher hasher;
    private final ThreadPoolExecutor executor;
    private final Cache<String, Boolean> recent;
    private final SecretKeySpec cacheKey;
    private final AtomicLong hashes = new AtomicLong();

    public CredentialVerifier(PasswordHasher hasher, Settings settings) {
        this.hasher = hasher;
        this.executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 30, TimeUnit.SECONDS,
                settings.queue() == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(settings.queue()),
                Thread.ofPlatform().name("password-hash-", 0).daemon().priority(Thread.MIN_PRIORITY).factory(),
                new ThreadPoolExecutor.AbortPolicy());
        // Idle threads go away (each hash holds 19 MiB only while it runs; a quiet server keeps no threads).
        executor.allowCoreThreadTimeOut(true);
        this.recent = settings.cacheFor().isZero() ? null
                : Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(settings.cacheFor()).build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
    }

    /** The outcome of one verification. */
    public enum Result {
        /** The secret matches; it was hashed now. */
        MATCH,
        /** The secret matches the same stored hash it matched a moment ago; nothing was hashed. */
        MATCH_RECENTLY_VERIFIED,
        MISMATCH;

        public boolean matches() { return this != MISMATCH; }
    }

    /**
     * Whether {@code secret} matches {@code stored} (an Argon2id PHC string; null or malformed never matches).
     *
     * @param kind    what the secret is ("password", "token", "robot"), so that equal strings of different kinds
     *                never share a cache entry
     * @param subject the account, token id or robot the secret is presented for
     * @throws RegistryException 503 UNAVAILABLE with Retry-After when too many verifications are waiting already
     */
    public Result verify(String kind, String subject, char[] secret, String stored) {
        String key = recent == null || stored == null ? null : cacheKey(kind, subject, stored, secret);
        if (key != null && recent.getIfPresent(key) != null) return Result.MATCH_RECENTLY_VERIFIED;
        char[] copy = Arrays.copyOf(secret, secret.length);
        Future<Boolean> hashing;
        try {
            hashing = executor.submit(() -> {
                try {
                    hashes.incrementAndGet();
                    return hasher.verify(copy, stored);
                } finally {
                    Arrays.fill(copy, '\0');
                }
            });
        } catch (RejectedExecutionException e) {
            Arrays.fill(copy, '\0');
            throw busy();
        }
        boolean matches;
        try {
            matches = hashing.get(); // parks a virtual thread without holding its carrier
        } catch (InterruptedException e) {
            hashing.cancel(true);
            Thread.currentThread().interrupt();
            throw busy();
        } catch (ExecutionException e) {
            throw new IllegalStateException("password verification failed", e.getCause());
        }
        if (!matches) return Result.MISMATCH;
        if (key != null) recent.put(key, Boolean.TRUE);
        return Result.MATCH;
    }

    /**
     * Whether {@code secret} matched {@code stored} a moment ago (as {@link #verify} would answer
     * {@link Result#MATCH_RECENTLY_VERIFIED}), without hashing anything: such credentials are proven correct, so the
     * sign-in throttle lets them through even while the account is backing off.
     */
    public boolean recentlyVerified(String kind, String subject, char[] secret, String stored) {
        return recent != null && stored != null && recent.getIfPresent(cacheKey(kind, subject, stored, secret)) != null;
    }

    /** How many hashes were computed since start (for tests and metrics). */
    public long hashesComputed() {
        return hashes.get();
    }

    private String cacheKey(String kind, String subject, String stored, char[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cacheKey);
            for (String part : new String[]{kind, subject, stored}) {
                mac.update(part.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) 0);
            }
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            if (encoded.hasArray()) Arrays.fill(encoded.array(), (byte) 0);
            mac.update(bytes);
            Arrays.fill(bytes, (byte) 0);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RegistryException busy() {
        return new RegistryException(ErrorCode.UNAVAILABLE, "too many sign-ins are being checked; retry shortly", null, 503)
                .withHeader("Retry-After", "1");
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
