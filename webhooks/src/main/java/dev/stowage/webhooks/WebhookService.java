package dev.stowage.webhooks;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.EncodedEvent;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.TimeOrderedIds;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.spi.WebhookStore;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin use cases on webhooks, with their validation. Authorization happens before: every call names the project
 * the caller was authorized for, and a webhook (or delivery) of another project is answered as not found, so ids
 * from one project cannot reach into another.
 */
public final class WebhookService {
    public static final int MAX_TARGET_URL_LENGTH = 2048;
    public static final int MAX_PAGE_SIZE = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookStore store;
    private final WebhookDispatcher dispatcher;
    private final Clock clock;

    public WebhookService(WebhookStore store, WebhookDispatcher dispatcher, Clock clock) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    /** A new webhook with a new random secret, answered this once. */
    public CreatedWebhook create(String project, String targetUrl, Set<RegistryEvent.Type> events, boolean enabled) {
        Webhook w = new Webhook(TimeOrderedIds.next(), validProject(project), validTarget(targetUrl), validEvents(events),
                newSecret(), enabled, Instant.ofEpochMilli(clock.millis()));
        if (!store.createWebhook(w)) throw new RegistryException(ErrorCode.CONFLICT, "webhook " + w.id() + " exists");
        dispatcher.subscriptionsChanged();
        return new CreatedWebhook(WebhookInfo.of(w), w.secret());
    }

    public List<WebhookInfo> list(String project) {
        return store.listWebhooks(Optional.of(validProject(project))).stream().map(WebhookInfo::of).toList();
    }

    public WebhookInfo get(String project, String id) {
        return WebhookInfo.of(find(project, id));
    }

    /** Changes what is given; the secret stays. */
    public WebhookInfo update(String project, String id, Optional<String> targetUrl, Optional<Set<RegistryEvent.Type>> events,
                              Optional<Boolean> enabled) {
        Webhook w = find(project, id);
        Webhook changed = new Webhook(w.id(), w.project(), targetUrl.map(this::validTarget).orElse(w.targetUrl()),
                events.map(WebhookService::validEvents).orElse(w.events()), w.secret(), enabled.orElse(w.enabled()),
                w.createdAt());
        if (!store.updateWebhook(changed)) throw notFound("webhook", id);
        dispatcher.subscriptionsChanged();
        return WebhookInfo.of(changed);
    }

    /** A new secret, answered this once; deliveries from now on (retries included) are signed with it. */
    public CreatedWebhook rotateSecret(String project, String id) {
        Webhook w = find(project, id);
        Webhook changed = new Webhook(w.id(), w.project(), w.targetUrl(), w.events(), newSecret(), w.enabled(), w.createdAt());
        if (!store.updateWebhook(changed)) throw notFound("webhook", id);
        return new CreatedWebhook(WebhookInfo.of(changed), changed.secret());
    }

    /** Deletes the webhook with its delivery log; pending deliveries are not made. */
    public void delete(String project, String id) {
        find(project, id);
        if (!store.deleteWebhook(id)) throw notFound("webhook", id);
        dispatcher.subscriptionsChanged();
    }

    /** Queues a {@code dev.stowage.webhook.ping} event to this webhook alone; its outcome shows in the delivery log. */
    public WebhookDelivery ping(String project, String id, String actor) {
        Webhook w = find(project, id);
        RegistryEvent ping = new RegistryEvent(TimeOrderedIds.next(), RegistryEvent.Type.PING, clock.instant(), w.project(),
                null, null, null, null, actor, Map.of("webhookId", w.id()));
        WebhookDelivery d = store.enqueueTo(w.id(), EncodedEvent.of(ping, dispatcher.encode(ping)), clock.instant())
                .orElseThrow(() -> notFound("webhook", id));
        dispatcher.wake();
        return d;
    }

    /** The delivery log, newest first; {@code before} is the last id of the previous page. */
    public List<WebhookDelivery> deliveries(String project, String id, Optional<String> before, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "page size must be 1-" + MAX_PAGE_SIZE);
        }
        return store.deliveries(find(project, id).id(), before, limit);
    }

    public WebhookDelivery delivery(String project, String id, String deliveryId) {
        Webhook w = find(project, id);
        return store.findDelivery(deliveryId).filter(d -> d.webhookId().equals(w.id()))
                .orElseThrow(() -> notFound("delivery", deliveryId));
    }

    public List<DeliveryAttempt> attempts(String project, String id, String deliveryId) {
        return store.attempts(delivery(project, id, deliveryId).id());
    }

    /** Sends a finished (delivered or failed) delivery again, as a new delivery with a fresh set of attempts. */
    public WebhookDelivery redeliver(String project, String id, String deliveryId) {
        WebhookDelivery original = delivery(project, id, deliveryId);
        if (original.status() == WebhookDelivery.Status.PENDING) {
            throw new RegistryException(ErrorCode.CONFLICT, "delivery " + deliveryId + " is still being delivered");
        }
        WebhookDelivery again = store.redeliver(original.id(), clock.instant()).orElseThrow(() -> notFound("delivery", deliveryId));
        dispatcher.wake();
        return again;
    }

    /** Event types as an API names them: {@code push}, {@code QUOTA_WARNING} or {@code dev.stowage.gc.completed}. */
    public static Set<RegistryEvent.Type> parseEvents(Collection<String> names) {
        Set<RegistryEvent.Type> out = EnumSet.noneOf(RegistryEvent.Type.class);
        for (String n : names) {
            out.add(RegistryEvent.Type.parse(n).orElseThrow(() -> invalid("unknown event type: " + n)));
        }
        return out;
    }

    private Webhook find(String project, String id) {
        return store.findWebhook(id).filter(w -> w.project().equals(project)).orElseThrow(() -> notFound("webhook", id));
    }

    private static String validProject(String project) {
        if (project == null || project.contains("/")) throw invalid("a project name is one repository path component");
        return RepositoryName.of(project).value();
    }

    /**
     * http or https, a host, no user:password (put credentials in a secret, not in a URL shown in logs and lists), and
     * an address webhooks may reach: not an internal one unless the administrator allowed its network (checked again
     * on every delivery, since what a name resolves to can change).
     */
    String validTarget(String targetUrl) {
        if (targetUrl == null || targetUrl.isBlank()) throw invalid("a webhook needs a target URL");
        if (targetUrl.length() > MAX_TARGET_URL_LENGTH) throw invalid("target URL longer than " + MAX_TARGET_URL_LENGTH);
        URI uri;
        try {
            uri = new URI(targetUrl.trim());
        } catch (URISyntaxException e) {
            throw invalid("not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) throw invalid("target URL must be http or https");
        if (uri.getHost() == null || uri.getHost().isEmpty()) throw invalid("target URL has no host");
        if (uri.getRawUserInfo() != null) throw invalid("target URL must not carry user information");
        if (uri.getRawFragment() != null) throw invalid("target URL must not have a fragment");
        try {
            dispatcher.targets().checkTarget(uri.getHost());
        } catch (TargetAddressPolicy.RefusedTarget e) {
            throw invalid("target URL not allowed: " + e.getMessage()
                    + "; webhooks reach only public addresses unless webhooks.allowedNetworks allows the network");
        }
        return uri.toString();
    }

    private static Set<RegistryEvent.Type> validEvents(Set<RegistryEvent.Type> events) {
        if (events == null || events.isEmpty()) throw invalid("a webhook needs at least one event type");
        if (events.contains(RegistryEvent.Type.PING)) throw invalid("ping is sent on request, not subscribed to");
        return EnumSet.copyOf(events);
    }

    /** 256 bits from SecureRandom, as hex: a printable HMAC key any receiver's configuration can hold. */
    private static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400);
    }

    private static RegistryException notFound(String what, String id) {
        return new RegistryException(ErrorCode.NOT_FOUND, what + " " + id + " not found");
    }
}
