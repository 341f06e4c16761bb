package dev.stowage.core.spi;

import dev.stowage.core.event.ClaimedDelivery;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.EncodedEvent;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Webhook subscriptions and the durable queue of their deliveries. Several stateless nodes may share one store:
 * {@link #claimDue} hands each due delivery to one claimer at a time, for a lease; the claimer reports the outcome
 * with {@link #recordAttempt}, which only counts while its lease holds, so a node that stalled past its lease
 * cannot overwrite what the node that took over recorded. Delivery ids sort by creation time.
 */
public interface WebhookStore {
    /** False when a webhook with this id exists. */
    boolean createWebhook(Webhook webhook);

    Optional<Webhook> findWebhook(String id);

    /** The webhooks of one project, or of every project when empty; oldest first. */
    List<Webhook> listWebhooks(Optional<String> project);

    /** Replaces target, events, secret and enabled flag (id, project and creation time stay); false when unknown. */
    boolean updateWebhook(Webhook webhook);

    /** Deletes the webhook with its deliveries and their attempts; false when unknown. */
    boolean deleteWebhook(String id);

    /**
     * In one transaction, one PENDING delivery due at {@code now} for every event and every webhook that
     * {@link Webhook#wants} it at this moment. Answers the deliveries made (none when nobody subscribed).
     */
    List<WebhookDelivery> enqueue(List<EncodedEvent> events, Instant now);

    /** One PENDING delivery of {@code event} to this webhook whatever it subscribed to (a test ping); empty when unknown. */
    Optional<WebhookDelivery> enqueueTo(String webhookId, EncodedEvent event, Instant now);

    /**
     * Up to {@code limit} PENDING deliveries due at {@code now} (earliest first), each with its webhook, leased to the
     * caller until {@code leaseUntil}: no other claim answers them before then. The returned deliveries carry
     * {@code nextAttemptAt == leaseUntil}, the token {@link #recordAttempt} and {@link #release} check.
     */
    List<ClaimedDelivery> claimDue(Instant now, int limit, Instant leaseUntil);

    /**
     * Records attempt number {@code claimed.attempts() + 1} of a claimed delivery and moves it to {@code status}: due
     * again at {@code nextAttemptAt} when PENDING, finished when DELIVERED or FAILED. False, recording nothing, when
     * the claim no longer holds (the lease ran out and someone else claimed it, or the delivery is gone).
     */
    boolean recordAttempt(WebhookDelivery claimed, DeliveryAttempt attempt, WebhookDelivery.Status status,
                          Instant nextAttemptAt);

    /** Gives a claimed delivery back unattempted, due at {@code now}; false when the claim no longer holds. */
    boolean release(WebhookDelivery claimed, Instant now);

    /** A new PENDING delivery, due at {@code now}, repeating the given one to the same webhook; empty when unknown. */
    Optional<WebhookDelivery> redeliver(String deliveryId, Instant now);

    Optional<WebhookDelivery> findDelivery(String id);

    /** The deliveries of one webhook, newest first, starting after (older than) {@code before} when given. */
    List<WebhookDelivery> deliveries(String webhookId, Optional<String> before, int limit);

    /** The attempts of one delivery, first first. */
    List<DeliveryAttempt> attempts(String deliveryId);

    /** Deletes up to {@code limit} DELIVERED or FAILED deliveries last changed before {@code cutoff}; answers how many. */
    int purgeFinished(Instant cutoff, int limit);
}
