package dev.stowage.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Cidr;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Who may talk to the registry at all, checked on the event loop before a request is routed: a global allowlist
 * of networks (empty: everyone), and a per-client token bucket that answers 429 TOOMANYREQUESTS with Retry-After.
 * Behind a load balancer, the client is the one its trusted proxies name ({@link TrustedProxies}); the per-connection
 * caps ({@link ConnectionLimiter}) stay on the TCP peer, since one proxy carries many clients' connections.
 */
public final class NetworkPolicy {
    public static final NetworkPolicy OPEN = new NetworkPolicy(List.of(), 0, 0, TrustedProxies.NONE);

    private final List<Cidr> allowed;
    private final TrustedProxies proxies;
    private final double ratePerSecond;
    private final double burst;
    private final Cache<InetAddress, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    /** @param ratePerSecond sustained requests per second per client address; 0 turns rate limiting off */
    public static NetworkPolicy of(List<String> allowedNetworks, double ratePerSecond, double burst) {
        return new NetworkPolicy(allowedNetworks.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList(),
                ratePerSecond, Math.max(burst, 1), TrustedProxies.NONE);
    }

    /**
     * This policy, taking the client address, scheme and host from {@code Forwarded} / {@code X-Forwarded-*} headers
     * of connections from these networks (CIDRs, or comma-separated lists of them; empty: trust no one).
     */
    public NetworkPolicy trustingProxies(List<String> networks) {
        return new NetworkPolicy(allowed, ratePerSecond, burst, TrustedProxies.of(networks));
    }

    private NetworkPolicy(List<Cidr> allowed, double ratePerSecond, double burst, TrustedProxies proxies) {
        this.allowed = allowed;
        this.proxies = proxies;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Where a request really comes from: the TCP peer, or the client a trusted proxy names. */
    TrustedProxies.RequestOrigin originOf(InetAddress peer, boolean tls, io.netty.handler.codec.http.HttpHeaders headers) {
        return proxies.originOf(peer, tls, headers);
    }

    /** Throws DENIED (403) for addresses outside the allowlist and TOOMANYREQUESTS (429) past the rate. */
    void check(InetAddress client) {
        if (!allowed.isEmpty() && allowed.stream().noneMatch(c -> c.contains(client))) {
            throw new RegistryException(ErrorCode.DENIED, "requests from this address are not allowed", null, 403);
        }
        if (ratePerSecond <= 0) return;
        Bucket bucket = buckets.get(dev.stowage.core.access.ClientNetwork.of(client), k -> new Bucket(burst)); // IPv6 by its /64
        double wait = bucket.take(ratePerSecond, burst, System.nanoTime());
        if (wait > 0) {
            long retryAfter = Math.max(1, (long) Math.ceil(wait));
            throw new RegistryException(ErrorCode.TOOMANYREQUESTS, "too many requests; retry in " + retryAfter + " s",
                    null, 429).withHeader("Retry-After", Long.toString(retryAfter));
        }
    }

    /** A token bucket; answers 0 when a token was taken, else the seconds until one is available. */
    private static final class Bucket {
        private double tokens;
        private long updatedNanos = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }

        synchronized double take(double rate, double capacity, long now) {
            tokens = Math.min(capacity, tokens + (now - updatedNanos) / 1e9 * rate);
            updatedNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (1 - tokens) / rate;
        }
    }
}
