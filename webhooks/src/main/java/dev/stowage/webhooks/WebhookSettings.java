package dev.stowage.webhooks;

import dev.stowage.core.access.Cidr;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How webhooks are delivered.
 *
 * @param backoffBase             the wait after the first failed attempt; it doubles after each further failure
 * @param backoffCap              the longest wait between two attempts
 * @param maxAttempts             attempts before a delivery is FAILED (only a redelivery on request sends it again)
 * @param connectTimeout          to open the connection to a receiver
 * @param requestTimeout          from sending the request to the response's status line
 * @param pollInterval            how often the queue is checked for due deliveries when nothing wakes the worker (new
 *                                deliveries made on this node wake it at once; those of other nodes wait for this)
 * @param maxConcurrentDeliveries requests in flight at once, per node
 * @param maxQueuedEvents         events published but not yet queued in the database; beyond, new events are dropped
 * @param subscriptionRefresh     how old this node's view of who subscribes to what may get (changes made through
 *                                another node's {@link WebhookService} are seen after at most this long)
 * @param deliveryRetention       delivered and failed deliveries are kept this long in the delivery log
 * @param shutdownGrace           how long stopping waits for requests in flight before it abandons them
 * @param source                  the CloudEvents {@code source} prefix: the repository or project is appended
 * @param allowedNetworks         networks an administrator lets webhooks reach although they are internal (loopback,
 *                                private, link-local...; see {@link TargetAddressPolicy}); empty: only public addresses
 */
public record WebhookSettings(Duration backoffBase, Duration backoffCap, int maxAttempts, Duration connectTimeout,
                              Duration requestTimeout, Duration pollInterval, int maxConcurrentDeliveries,
                              int maxQueuedEvents, Duration subscriptionRefresh, Duration deliveryRetention,
                              Duration shutdownGrace, String source, List<Cidr> allowedNetworks) {

    public WebhookSettings {
        for (Duration d : new Duration[] {backoffBase, backoffCap, connectTimeout, requestTimeout, pollInterval,
                subscriptionRefresh, deliveryRetention, shutdownGrace}) {
            Objects.requireNonNull(d, "durations");
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("webhook durations must be positive: " + d);
        }
        if (backoffCap.compareTo(backoffBase) < 0) throw new IllegalArgumentException("backoffCap below backoffBase");
        if (maxAttempts < 1 || maxConcurrentDeliveries < 1 || maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxAttempts, maxConcurrentDeliveries and maxQueuedEvents must be >= 1");
        }
        Objects.requireNonNull(source, "source");
        source = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        URI.create(source.isEmpty() ? "/" : source); // fails now, not on the first event
        allowedNetworks = List.copyOf(allowedNetworks);
    }

    /**
     * 12 attempts, waits from 5 s doubling up to 1 h: a receiver that is down for about two and a half hours still
     * gets every event.
     */
    public static WebhookSettings defaults() {
        return new WebhookSettings(Duration.ofSeconds(5), Duration.ofHours(1), 12, Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofSeconds(1), 16, 10_000, Duration.ofSeconds(5), Duration.ofDays(30),
                Duration.ofSeconds(10), "/stowage", List.of());
    }

    public WebhookSettings withBackoff(Duration base, Duration cap, int attempts) {
        return new WebhookSettings(base, cap, attempts, connectTimeout, requestTimeout, pollInterval, maxConcurrentDeliveries,
                maxQueuedEvents, subscriptionRefresh, deliveryRetention, shutdownGrace, source, allowedNetworks);
    }

    public WebhookSettings withTimeouts(Duration connect, Duration request) {
        return new WebhookSettings(backoffBase, backoffCap, maxAttempts, connect, request, pollInterval,
                maxConcurrentDeliveries, maxQueuedEvents, subscriptionRefresh, deliveryRetention, shutdownGrace, source, allowedNetworks);
    }

    public WebhookSettings withPolling(Duration poll, Duration refresh) {
        return new WebhookSettings(backoffBase, backoffCap, maxAttempts, connectTimeout, requestTimeout, poll,
                maxConcurrentDeliveries, maxQueuedEvents, refresh, deliveryRetention, shutdownGrace, source, allowedNetworks);
    }

    public WebhookSettings withShutdownGrace(Duration grace) {
        return new WebhookSettings(backoffBase, backoffCap, maxAttempts, connectTimeout, requestTimeout, pollInterval,
                maxConcurrentDeliveries, maxQueuedEvents, subscriptionRefresh, deliveryRetention, grace, source, allowedNetworks);
    }

    /** {@code networks}: comma-separated CIDRs ({@code 10.0.0.0/8,127.0.0.1/32}); blank allows no internal address. */
    public WebhookSettings withAllowedNetworks(String networks) {
        List<Cidr> parsed = new ArrayList<>();
        for (String n : networks.split(",")) if (!n.isBlank()) parsed.add(Cidr.parse(n));
        return new WebhookSettings(backoffBase, backoffCap, maxAttempts, connectTimeout, requestTimeout, pollInterval,
                maxConcurrentDeliveries, maxQueuedEvents, subscriptionRefresh, deliveryRetention, shutdownGrace, source, parsed);
    }

    /**
     * How long a claimed delivery stays this node's: longer than an attempt can take, so another node never retries
     * a request that is still in flight here.
     */
    public Duration lease() {
        return connectTimeout.plus(requestTimeout).plusSeconds(30);
    }
}
