package dev.stowage.core.spi;

import dev.stowage.core.event.ClaimedDelivery;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.EncodedEvent;
import dev.stowage.core.event.RegistryEvent.Type;
import dev.stowage.core.event.TimeOrderedIds;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.event.WebhookDelivery.Status;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every WebhookStore must have. Subclasses supply a fresh, empty store per call. */
public abstract class WebhookStoreContract {
    protected abstract WebhookStore webhookStore() throws Exception;

    static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);
    static final Duration LEASE = Duration.ofSeconds(30);

    static Webhook hook(String id, String project, Type... events) {
        return new Webhook(id, project, "https://hooks.example.com/" + id, EnumSet.of(events[0], events), "secret-" + id,
                true, T0);
    }

    static EncodedEvent event(Type type, String project) {
        return new EncodedEvent(TimeOrderedIds.next(), type, project,
                ("{\"type\":\"" + type + "\",\"project\":\"" + project + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static DeliveryAttempt attempt(WebhookDelivery d, Instant at, int status, String error) {
        return new DeliveryAttempt(d.id(), d.attempts() + 1, at, status, error, Duration.ofMillis(12));
    }

    static WebhookDelivery claimOne(WebhookStore store, Instant now) {
        List<ClaimedDelivery> claimed = store.claimDue(now, 10, now.plus(LEASE));
        assertThat(claimed).hasSize(1);
        return claimed.getFirst().delivery();
    }

    @Test
    void webhooksRoundTripAndAreListedOldestFirstPerProject() throws Exception {
        WebhookStore store = webhookStore();
        Webhook first = hook("h1", "team", Type.PUSH, Type.DELETE);
        Webhook second = new Webhook("h2", "team", "http://10.0.0.1:8080/in?x=1", EnumSet.of(Type.GC_COMPLETED), "s2", false,
                T0.plusSeconds(1));
        assertThat(store.createWebhook(first)).isTrue();
        assertThat(store.createWebhook(second)).isTrue();
        assertThat(store.createWebhook(hook("h3", "other", Type.PULL))).isTrue();
        assertThat(store.createWebhook(hook("h1", "elsewhere", Type.PULL))).isFalse();

        assertThat(store.findWebhook("h1")).contains(first);
        assertThat(store.findWebhook("h2")).contains(second);
        assertThat(store.findWebhook("nope")).isEmpty();
        assertThat(store.listWebhooks(Optional.of("team"))).containsExactly(first, second);
        assertThat(store.listWebhooks(Optional.empty())).extracting(Webhook::id).containsExactlyInAnyOrder("h1", "h2", "h3");
        assertThat(store.listWebhooks(Optional.of("nobody"))).isEmpty();
    }

    @Test
    void updateChangesTargetEventsSecretAndEnabledButNotTheProject() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        Webhook changed = new Webhook("h1", "other", "https://new.example.com/", EnumSet.of(Type.PULL, Type.QUOTA_EXCEEDED),
                "rotated", false, T0.plusSeconds(99));
        assertThat(store.updateWebhook(changed)).isTrue();
        assertThat(store.findWebhook("h1")).contains(new Webhook("h1", "team", "https://new.example.com/",
                EnumSet.of(Type.PULL, Type.QUOTA_EXCEEDED), "rotated", false, T0));
        assertThat(store.updateWebhook(hook("unknown", "team", Type.PUSH))).isFalse();
    }

    @Test
    void anEventIsQueuedOnceForEveryEnabledSubscriberOfItsProjectAndType() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("push-team", "team", Type.PUSH));
        store.createWebhook(hook("push-and-pull-team", "team", Type.PULL, Type.PUSH));
        store.createWebhook(hook("delete-team", "team", Type.DELETE));
        store.createWebhook(hook("push-other", "other", Type.PUSH));
        Webhook disabled = hook("disabled", "team", Type.PUSH);
        store.createWebhook(new Webhook(disabled.id(), disabled.project(), disabled.targetUrl(), disabled.events(),
                disabled.secret(), false, T0));

        EncodedEvent push = event(Type.PUSH, "team");
        List<WebhookDelivery> made = store.enqueue(List.of(push), T0);

        assertThat(made).extracting(WebhookDelivery::webhookId).containsExactlyInAnyOrder("push-team", "push-and-pull-team");
        for (WebhookDelivery d : made) {
            assertThat(d.eventId()).isEqualTo(push.eventId());
            assertThat(d.eventType()).isEqualTo(Type.PUSH);
            assertThat(d.payload()).isEqualTo(push.body());
            assertThat(d.status()).isEqualTo(Status.PENDING);
            assertThat(d.attempts()).isZero();
            assertThat(d.nextAttemptAt()).isEqualTo(T0);
            assertThat(d.redeliveryOf()).isNull();
            assertThat(store.findDelivery(d.id()).orElseThrow().payload()).isEqualTo(push.body());
        }
        assertThat(store.deliveries("push-other", Optional.empty(), 10)).isEmpty();
        assertThat(store.deliveries("disabled", Optional.empty(), 10)).isEmpty();
        assertThat(store.enqueue(List.of(event(Type.QUOTA_WARNING, "team")), T0)).isEmpty();
    }

    @Test
    void anEventWithoutAProjectReachesNoProjectWebhook() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("gc-team", "team", Type.GC_COMPLETED));
        store.createWebhook(hook("gc-other", "other", Type.GC_COMPLETED, Type.PUSH));
        store.createWebhook(hook("push-team", "team", Type.PUSH));

        List<WebhookDelivery> made = store.enqueue(List.of(event(Type.GC_COMPLETED, null), event(Type.PUSH, "team")), T0);

        assertThat(made).extracting(d -> d.webhookId() + ":" + d.eventType())
                .containsExactly("push-team:PUSH");
        assertThat(store.enqueue(List.of(event(Type.GC_COMPLETED, "other")), T0)).extracting(WebhookDelivery::webhookId)
                .containsExactly("gc-other");
    }

    @Test
    void aPingGoesToOneWebhookWhateverItSubscribedTo() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.createWebhook(hook("h2", "team", Type.PUSH));
        EncodedEvent ping = event(Type.PING, "team");

        WebhookDelivery d = store.enqueueTo("h1", ping, T0).orElseThrow();

        assertThat(d.webhookId()).isEqualTo("h1");
        assertThat(d.eventType()).isEqualTo(Type.PING);
        assertThat(store.deliveries("h2", Optional.empty(), 10)).isEmpty();
        assertThat(store.enqueueTo("unknown", ping, T0)).isEmpty();
    }

    @Test
    void claimingLeasesDueDeliveriesEarliestFirstWithTheirWebhook() throws Exception {
        WebhookStore store = webhookStore();
        Webhook h = hook("h1", "team", Type.PUSH);
        store.createWebhook(h);
        WebhookDelivery later = store.enqueue(List.of(event(Type.PUSH, "team")), T0.plusSeconds(5)).getFirst();
        WebhookDelivery earlier = store.enqueue(List.of(event(Type.PUSH, "team")), T0).getFirst();
        store.enqueue(List.of(event(Type.PUSH, "team")), T0.plusSeconds(60)); // not due yet

        List<ClaimedDelivery> claimed = store.claimDue(T0.plusSeconds(10), 10, T0.plusSeconds(40));

        assertThat(claimed).extracting(c -> c.delivery().id()).containsExactly(earlier.id(), later.id());
        assertThat(claimed.getFirst().webhook()).isEqualTo(h);
        assertThat(claimed.getFirst().delivery().nextAttemptAt()).isEqualTo(T0.plusSeconds(40));
        assertThat(claimed.getFirst().delivery().payload()).isEqualTo(earlier.payload());
        assertThat(store.claimDue(T0.plusSeconds(10), 10, T0.plusSeconds(40))).as("leased").isEmpty();
        assertThat(store.claimDue(T0.plusSeconds(40), 10, T0.plusSeconds(70))).as("lease ran out").hasSize(2);
    }

    @Test
    void claimingTakesNoMoreThanTheLimit() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        List<EncodedEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) events.add(event(Type.PUSH, "team"));
        store.enqueue(events, T0);

        assertThat(store.claimDue(T0, 3, T0.plus(LEASE))).hasSize(3);
        assertThat(store.claimDue(T0, 3, T0.plus(LEASE))).hasSize(2);
    }

    @Test
    void aFailedAttemptSchedulesTheNextAndASuccessfulOneFinishes() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team")), T0);

        WebhookDelivery first = claimOne(store, T0);
        assertThat(store.recordAttempt(first, attempt(first, T0, 500, "HTTP 500"), Status.PENDING, T0.plusSeconds(2))).isTrue();
        WebhookDelivery retried = store.findDelivery(first.id()).orElseThrow();
        assertThat(retried.status()).isEqualTo(Status.PENDING);
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.nextAttemptAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(retried.lastStatusCode()).isEqualTo(500);
        assertThat(retried.lastError()).isEqualTo("HTTP 500");
        assertThat(store.claimDue(T0.plusSeconds(1), 10, T0.plusSeconds(31))).as("not due before its backoff").isEmpty();

        WebhookDelivery second = claimOne(store, T0.plusSeconds(2));
        assertThat(second.attempts()).isEqualTo(1);
        assertThat(store.recordAttempt(second, attempt(second, T0.plusSeconds(2), 204, ""), Status.DELIVERED,
                T0.plusSeconds(2))).isTrue();

        WebhookDelivery done = store.findDelivery(first.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(Status.DELIVERED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.lastStatusCode()).isEqualTo(204);
        assertThat(done.lastError()).isEmpty();
        assertThat(done.updatedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(store.attempts(first.id())).containsExactly(
                new DeliveryAttempt(first.id(), 1, T0, 500, "HTTP 500", Duration.ofMillis(12)),
                new DeliveryAttempt(first.id(), 2, T0.plusSeconds(2), 204, "", Duration.ofMillis(12)));
        assertThat(store.claimDue(T0.plus(Duration.ofDays(1)), 10, T0.plus(Duration.ofDays(2)))).isEmpty();
    }

    @Test
    void aFailedDeliveryIsNotClaimedAgain() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team")), T0);
        WebhookDelivery d = claimOne(store, T0);

        assertThat(store.recordAttempt(d, attempt(d, T0, 0, "connection refused"), Status.FAILED, T0)).isTrue();

        assertThat(store.findDelivery(d.id()).orElseThrow().status()).isEqualTo(Status.FAILED);
        assertThat(store.claimDue(T0.plus(Duration.ofDays(1)), 10, T0.plus(Duration.ofDays(2)))).isEmpty();
    }

    @Test
    void anAttemptRecordedAfterTheLeaseWasTakenOverIsRefused() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team")), T0);
        WebhookDelivery stalled = claimOne(store, T0);
        Instant afterLease = T0.plus(LEASE).plusSeconds(1);
        WebhookDelivery takenOver = claimOne(store, afterLease);

        assertThat(store.recordAttempt(stalled, attempt(stalled, T0, 500, "late"), Status.PENDING, T0.plusSeconds(1))).isFalse();
        assertThat(store.release(stalled, T0)).isFalse();
        assertThat(store.recordAttempt(takenOver, attempt(takenOver, afterLease, 200, ""), Status.DELIVERED, afterLease)).isTrue();

        assertThat(store.attempts(stalled.id())).extracting(DeliveryAttempt::statusCode).containsExactly(200);
        assertThat(store.findDelivery(stalled.id()).orElseThrow().status()).isEqualTo(Status.DELIVERED);
    }

    @Test
    void aReleasedDeliveryIsDueAgainWithoutCountingAnAttempt() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team")), T0);
        WebhookDelivery d = claimOne(store, T0);

        assertThat(store.release(d, T0.plusSeconds(1))).isTrue();

        WebhookDelivery again = claimOne(store, T0.plusSeconds(1));
        assertThat(again.attempts()).isZero();
        assertThat(store.attempts(d.id())).isEmpty();
    }

    @Test
    void concurrentClaimersNeverGetTheSameDelivery() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        List<EncodedEvent> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) events.add(event(Type.PUSH, "team"));
        store.enqueue(events, T0);

        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService claimers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                running.add(claimers.submit(() -> {
                    for (List<ClaimedDelivery> batch; !(batch = store.claimDue(T0, 3, T0.plus(LEASE))).isEmpty(); ) {
                        batch.forEach(c -> claimed.add(c.delivery().id()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
        }

        assertThat(claimed).hasSize(60);
        assertThat(new HashSet<>(claimed)).hasSize(60);
    }

    @Test
    void theDeliveryLogPagesNewestFirst() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.createWebhook(hook("h2", "team", Type.PULL));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.enqueue(List.of(event(Type.PUSH, "team"), event(Type.PULL, "team")), T0.plusSeconds(i))
                    .stream().filter(d -> d.webhookId().equals("h1")).findFirst().orElseThrow().id());
        }
        List<String> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);

        List<WebhookDelivery> page1 = store.deliveries("h1", Optional.empty(), 2);
        List<WebhookDelivery> page2 = store.deliveries("h1", Optional.of(page1.getLast().id()), 2);
        List<WebhookDelivery> page3 = store.deliveries("h1", Optional.of(page2.getLast().id()), 2);

        assertThat(page1).extracting(WebhookDelivery::id).containsExactlyElementsOf(newestFirst.subList(0, 2));
        assertThat(page2).extracting(WebhookDelivery::id).containsExactlyElementsOf(newestFirst.subList(2, 4));
        assertThat(page3).extracting(WebhookDelivery::id).containsExactlyElementsOf(newestFirst.subList(4, 5));
        assertThat(store.deliveries("h1", Optional.of(ids.getFirst()), 2)).isEmpty();
    }

    @Test
    void aRedeliveryRepeatsTheSamePayloadAsANewPendingDelivery() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        EncodedEvent e = event(Type.PUSH, "team");
        store.enqueue(List.of(e), T0);
        WebhookDelivery d = claimOne(store, T0);
        store.recordAttempt(d, attempt(d, T0, 0, "refused"), Status.FAILED, T0);

        WebhookDelivery again = store.redeliver(d.id(), T0.plusSeconds(60)).orElseThrow();

        assertThat(again.id()).isNotEqualTo(d.id());
        assertThat(again.redeliveryOf()).isEqualTo(d.id());
        assertThat(again.webhookId()).isEqualTo("h1");
        assertThat(again.eventId()).isEqualTo(e.eventId());
        assertThat(again.payload()).isEqualTo(e.body());
        assertThat(again.status()).isEqualTo(Status.PENDING);
        assertThat(again.attempts()).isZero();
        assertThat(claimOne(store, T0.plusSeconds(60)).id()).isEqualTo(again.id());
        assertThat(store.findDelivery(d.id()).orElseThrow().status()).isEqualTo(Status.FAILED);
        assertThat(store.redeliver("unknown", T0)).isEmpty();
    }

    @Test
    void deletingAWebhookDeletesItsDeliveriesAndAttempts() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team")), T0);
        WebhookDelivery d = claimOne(store, T0);
        store.recordAttempt(d, attempt(d, T0, 500, "HTTP 500"), Status.PENDING, T0.plusSeconds(1));

        assertThat(store.deleteWebhook("h1")).isTrue();

        assertThat(store.findWebhook("h1")).isEmpty();
        assertThat(store.findDelivery(d.id())).isEmpty();
        assertThat(store.attempts(d.id())).isEmpty();
        assertThat(store.claimDue(T0.plusSeconds(5), 10, T0.plusSeconds(35))).isEmpty();
        assertThat(store.deleteWebhook("h1")).isFalse();
    }

    @Test
    void purgingRemovesOnlyOldFinishedDeliveries() throws Exception {
        WebhookStore store = webhookStore();
        store.createWebhook(hook("h1", "team", Type.PUSH));
        store.enqueue(List.of(event(Type.PUSH, "team"), event(Type.PUSH, "team"), event(Type.PUSH, "team")), T0);
        List<ClaimedDelivery> claimed = store.claimDue(T0, 2, T0.plus(LEASE));
        WebhookDelivery delivered = claimed.get(0).delivery();
        WebhookDelivery failed = claimed.get(1).delivery();
        store.recordAttempt(delivered, attempt(delivered, T0, 200, ""), Status.DELIVERED, T0);
        store.recordAttempt(failed, attempt(failed, T0.plusSeconds(10), 500, "HTTP 500"), Status.FAILED, T0.plusSeconds(10));

        assertThat(store.purgeFinished(T0.plusSeconds(5), 100)).isEqualTo(1);

        assertThat(store.findDelivery(delivered.id())).isEmpty();
        assertThat(store.attempts(delivered.id())).isEmpty();
        assertThat(store.findDelivery(failed.id())).isPresent();
        assertThat(store.purgeFinished(T0.plus(Duration.ofDays(1)), 100)).as("the pending one stays").isEqualTo(1);
        assertThat(store.deliveries("h1", Optional.empty(), 10)).extracting(WebhookDelivery::status)
                .containsExactly(Status.PENDING);
    }

    @Test
    void eventTypesRoundTripEveryValue() throws Exception {
        WebhookStore store = webhookStore();
        Set<Type> all = EnumSet.allOf(Type.class);
        all.remove(Type.PING);
        store.createWebhook(new Webhook("all", "team", "https://x.example/", all, "s", true, T0));
        assertThat(store.findWebhook("all").orElseThrow().events()).isEqualTo(all);
    }
}
