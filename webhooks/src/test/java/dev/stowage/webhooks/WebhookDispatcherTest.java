package dev.stowage.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.event.WebhookDelivery.Status;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.jackson.JsonFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.stowage.core.event.RegistryEvent.Type.DELETE;
import static dev.stowage.core.event.RegistryEvent.Type.GC_COMPLETED;
import static dev.stowage.core.event.RegistryEvent.Type.PUSH;
import static org.assertj.core.api.Assertions.assertThat;

/** The dispatcher on a real SQLite store, delivering to real HTTP receivers on the loopback interface. */
class WebhookDispatcherTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Short waits so retries happen within a test; a receiver's failures end in FAILED after 4 attempts. */
    static final WebhookSettings FAST = WebhookSettings.defaults()
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 4)
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
            .withPolling(Duration.ofMillis(25), Duration.ofMillis(200))
            .withShutdownGrace(Duration.ofSeconds(5))
            .withAllowedNetworks("127.0.0.1/32"); // the administrator's escape hatch: the receivers are on loopback
    /** For receivers that come up later: retries go on long enough for the test to start them. */
    static final WebhookSettings PATIENT = FAST.withBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 10_000);

    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcWebhookStore store;
    WebhookDispatcher dispatcher;
    WebhookService service;

    void start(WebhookSettings settings) {
        openStore();
        startDispatcher(settings);
    }

    void openStore() {
        db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        store = new JdbcWebhookStore(db);
    }

    void startDispatcher(WebhookSettings settings) {
        dispatcher = new WebhookDispatcher(store, settings, Clock.systemUTC());
        service = new WebhookService(store, dispatcher, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) dispatcher.close();
        if (db != null) db.close();
        dispatcher = null;
        db = null;
    }

    static RegistryEvent push(String repository, String tag) {
        return RegistryEvent.pushed(RepositoryName.of(repository), Digest.sha256Of(repository.getBytes(StandardCharsets.UTF_8)),
                Tag.of(tag), "application/vnd.oci.image.manifest.v1+json", "alice");
    }

    /** The receiver's own check, written without the code under test. */
    static String expectedSignature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    WebhookDelivery onlyDelivery(String webhookId, Status status) {
        return Eventually.until(() -> store.deliveries(webhookId, Optional.empty(), 10),
                l -> l.size() == 1 && l.getFirst().status() == status, "one " + status + " delivery").getFirst();
    }

    @Test
    void aPushReachesItsSubscriberAsASignedCloudEvent() throws Exception {
        start(FAST);
        try (Receiver receiver = Receiver.start()) {
            CreatedWebhook hook = service.create("team", receiver.url(), EnumSet.of(PUSH), true);
            RegistryEvent event = push("team/app", "latest");

            dispatcher.publish(event);

            WebhookDelivery delivery = onlyDelivery(hook.webhook().id(), Status.DELIVERED);
            assertThat(receiver.requests()).hasSize(1);
            Receiver.Request request = receiver.requests().getFirst();
            assertThat(request.header(":method")).isEqualTo("POST");
            assertThat(request.header(":path")).isEqualTo("/hooks/stowage");
            assertThat(request.header("Content-Type")).isEqualTo("application/cloudevents+json");
            assertThat(request.header("X-Stowage-Delivery")).isEqualTo(delivery.id());
            assertThat(request.header("X-Stowage-Event")).isEqualTo("dev.stowage.artifact.pushed");
            assertThat(request.header("X-Stowage-Signature-256")).isEqualTo(expectedSignature(hook.secret(), request.body()));

            JsonNode cloudEvent = JSON.readTree(request.body());
            assertThat(cloudEvent.path("specversion").asText()).isEqualTo("1.0");
            assertThat(cloudEvent.path("id").asText()).isEqualTo(event.id());
            assertThat(cloudEvent.path("source").asText()).isEqualTo("/stowage/team/app");
            assertThat(cloudEvent.path("type").asText()).isEqualTo("dev.stowage.artifact.pushed");
            assertThat(cloudEvent.path("subject").asText()).isEqualTo("latest");
            assertThat(Instant.parse(cloudEvent.path("time").asText())).isEqualTo(event.time());
            assertThat(cloudEvent.path("datacontenttype").asText()).isEqualTo("application/json");
            JsonNode data = cloudEvent.path("data");
            assertThat(data.path("project").asText()).isEqualTo("team");
            assertThat(data.path("repository").asText()).isEqualTo("team/app");
            assertThat(data.path("digest").asText()).isEqualTo(event.digest());
            assertThat(data.path("tag").asText()).isEqualTo("latest");
            assertThat(data.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            assertThat(data.path("actor").asText()).isEqualTo("alice");
            CloudEvent parsed = new JsonFormat().deserialize(request.body());
            assertThat(parsed.getSpecVersion()).isEqualTo(SpecVersion.V1);

            assertThat(delivery.payload()).isEqualTo(request.body());
            assertThat(store.attempts(delivery.id())).singleElement()
                    .satisfies(a -> assertThat(a.statusCode()).isEqualTo(200))
                    .satisfies(a -> assertThat(a.error()).isEmpty());
        }
    }

    @Test
    void eventsReachOnlyTheSubscribersOfTheirProjectAndType() throws Exception {
        start(FAST);
        try (Receiver teamPush = Receiver.start(); Receiver otherPush = Receiver.start();
             Receiver teamDelete = Receiver.start(); Receiver otherGc = Receiver.start()) {
            String teamPushId = service.create("team", teamPush.url(), EnumSet.of(PUSH), true).webhook().id();
            String otherPushId = service.create("other", otherPush.url(), EnumSet.of(PUSH), true).webhook().id();
            String teamDeleteId = service.create("team", teamDelete.url(), EnumSet.of(DELETE), true).webhook().id();
            String otherGcId = service.create("other", otherGc.url(), EnumSet.of(GC_COMPLETED), true).webhook().id();
            String disabledId = service.create("team", teamPush.url(), EnumSet.of(PUSH), false).webhook().id();

            // An event of no project (registry-wide figures) is for none of them: a project hears only its own.
            dispatcher.publish(new RegistryEvent("registry-wide", GC_COMPLETED, Instant.now(), null, null, null, null, null,
                    null, Map.of("blobsDeleted", 99)));
            dispatcher.publish(push("team/app", "v1"));
            dispatcher.publish(RegistryEvent.gcCompleted("other", Map.of("manifestsDeleted", 7)));

            onlyDelivery(teamPushId, Status.DELIVERED);
            onlyDelivery(otherGcId, Status.DELIVERED);
            // Each event's deliveries were made in one transaction: none missing now means none will come.
            assertThat(store.deliveries(otherPushId, Optional.empty(), 10)).isEmpty();
            assertThat(store.deliveries(teamDeleteId, Optional.empty(), 10)).isEmpty();
            assertThat(store.deliveries(disabledId, Optional.empty(), 10)).isEmpty();
            assertThat(teamPush.requests()).hasSize(1);
            JsonNode gc = JSON.readTree(otherGc.requests().getFirst().body());
            assertThat(gc.path("type").asText()).isEqualTo("dev.stowage.gc.completed");
            assertThat(gc.path("source").asText()).isEqualTo("/stowage/other");
            assertThat(gc.has("subject")).isFalse();
            assertThat(gc.path("data").path("project").asText()).isEqualTo("other");
            assertThat(gc.path("data").path("manifestsDeleted").asInt()).isEqualTo(7);
            assertThat(gc.path("data").has("blobsDeleted")).isFalse();
        }
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheEventOnTheThirdAttempt() throws Exception {
        start(FAST);
        try (Receiver receiver = Receiver.start()) {
            receiver.failNext(2, 500);
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push("team/app", "v1"));

            WebhookDelivery delivery = onlyDelivery(hookId, Status.DELIVERED);
            assertThat(delivery.attempts()).isEqualTo(3);
            assertThat(store.attempts(delivery.id())).extracting(DeliveryAttempt::number, DeliveryAttempt::statusCode,
                    DeliveryAttempt::error).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(1, 500, "HTTP 500"),
                    org.assertj.core.groups.Tuple.tuple(2, 500, "HTTP 500"),
                    org.assertj.core.groups.Tuple.tuple(3, 200, ""));
            List<Receiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(3);
            assertThat(requests).extracting(r -> r.header("X-Stowage-Delivery")).containsOnly(delivery.id());
            assertThat(requests).extracting(Receiver.Request::body).allSatisfy(b -> assertThat(b).isEqualTo(delivery.payload()));
        }
    }

    @Test
    void aReceiverThatIsDownAtFirstGetsTheEventOnceItIsUp() throws Exception {
        start(PATIENT);
        int port = Receiver.unusedPort();
        String hookId = service.create("team", Receiver.urlOn(port), EnumSet.of(PUSH), true).webhook().id();

        dispatcher.publish(push("team/app", "v1"));
        String deliveryId = Eventually.until(() -> store.deliveries(hookId, Optional.empty(), 10),
                l -> l.size() == 1 && l.getFirst().attempts() >= 2, "retried").getFirst().id();
        try (Receiver receiver = Receiver.startOn(port)) {
            WebhookDelivery delivery = onlyDelivery(hookId, Status.DELIVERED);

            assertThat(delivery.id()).isEqualTo(deliveryId);
            List<DeliveryAttempt> attempts = store.attempts(deliveryId);
            assertThat(attempts.getFirst().statusCode()).isZero();
            assertThat(attempts.getFirst().error()).isEqualTo("connection failed");
            assertThat(attempts.getLast().statusCode()).isEqualTo(200);
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void aDeliveryFailsAfterItsLastAttemptAndCanBeRedelivered() throws Exception {
        start(FAST);
        try (Receiver receiver = Receiver.start()) {
            receiver.failNext(Integer.MAX_VALUE, 503);
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push("team/app", "v1"));

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(failed.attempts()).isEqualTo(4);
            assertThat(failed.lastStatusCode()).isEqualTo(503);
            assertThat(store.attempts(failed.id())).extracting(DeliveryAttempt::statusCode).containsExactly(503, 503, 503, 503);
            assertThat(receiver.requests()).hasSize(4);

            receiver.failNext(0, 503);
            WebhookDelivery again = service.redeliver("team", hookId, failed.id());

            WebhookDelivery delivered = Eventually.until(() -> store.findDelivery(again.id()).orElseThrow(),
                    d -> d.status() == Status.DELIVERED, "redelivered");
            assertThat(delivered.redeliveryOf()).isEqualTo(failed.id());
            assertThat(delivered.attempts()).isEqualTo(1);
            assertThat(receiver.requests()).hasSize(5);
            assertThat(receiver.requests().getLast().body()).isEqualTo(failed.payload());
            assertThat(receiver.requests().getLast().header("X-Stowage-Delivery")).isEqualTo(again.id());
            assertThat(store.findDelivery(failed.id()).orElseThrow().status()).isEqualTo(Status.FAILED);
        }
    }

    @Test
    void pendingDeliveriesSurviveARestart() throws Exception {
        start(PATIENT);
        int port = Receiver.unusedPort();
        String hookId = service.create("team", Receiver.urlOn(port), EnumSet.of(PUSH), true).webhook().id();
        RegistryEvent retried = push("team/app", "v1");
        RegistryEvent justPublished = push("team/app", "v2");
        dispatcher.publish(retried);
        Eventually.until(() -> store.deliveries(hookId, Optional.empty(), 10),
                l -> l.size() == 1 && l.getFirst().attempts() >= 1, "attempted once");

        dispatcher.publish(justPublished); // still in memory when the stop begins: the stop queues it
        stop();

        try (Receiver receiver = Receiver.startOn(port)) {
            start(PATIENT);
            List<WebhookDelivery> delivered = Eventually.until(() -> store.deliveries(hookId, Optional.empty(), 10),
                    l -> l.size() == 2 && l.stream().allMatch(d -> d.status() == Status.DELIVERED), "both delivered");
            assertThat(delivered).extracting(WebhookDelivery::eventId).containsExactlyInAnyOrder(retried.id(), justPublished.id());
            assertThat(receiver.requests()).extracting(r -> JSON.readTree(r.body()).path("id").asText())
                    .containsExactlyInAnyOrder(retried.id(), justPublished.id());
        }
    }

    @Test
    void stoppingGivesADeliveryInFlightBackToTheQueue() throws Exception {
        start(FAST.withShutdownGrace(Duration.ofMillis(200)));
        try (Receiver receiver = Receiver.start()) {
            receiver.holdRequests();
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();
            dispatcher.publish(push("team/app", "v1"));
            Eventually.until(receiver::requests, r -> r.size() == 1, "received");

            stop();

            openStore();
            WebhookDelivery given = store.deliveries(hookId, Optional.empty(), 10).getFirst();
            assertThat(given.status()).isEqualTo(Status.PENDING);
            assertThat(given.attempts()).as("an abandoned request is not an attempt").isZero();
            assertThat(given.nextAttemptAt()).as("due now, not at the end of the claim").isBeforeOrEqualTo(Instant.now());
            receiver.release();
            startDispatcher(FAST);
            WebhookDelivery delivered = onlyDelivery(hookId, Status.DELIVERED);
            assertThat(store.attempts(delivered.id())).extracting(DeliveryAttempt::statusCode).containsExactly(200);
            assertThat(receiver.requests()).hasSize(2);
        }
    }

    @Test
    void aPingReachesOnlyTheWebhookItIsFor() throws Exception {
        start(FAST);
        try (Receiver first = Receiver.start(); Receiver second = Receiver.start()) {
            String firstId = service.create("team", first.url(), EnumSet.of(DELETE), true).webhook().id();
            String secondId = service.create("team", second.url(), EnumSet.of(DELETE), true).webhook().id();

            WebhookDelivery ping = service.ping("team", firstId, "admin");

            assertThat(onlyDelivery(firstId, Status.DELIVERED).id()).isEqualTo(ping.id());
            JsonNode body = JSON.readTree(first.requests().getFirst().body());
            assertThat(body.path("type").asText()).isEqualTo("dev.stowage.webhook.ping");
            assertThat(body.path("source").asText()).isEqualTo("/stowage/team");
            assertThat(body.path("data").path("webhookId").asText()).isEqualTo(firstId);
            assertThat(store.deliveries(secondId, Optional.empty(), 10)).isEmpty();
        }
    }

    @Test
    void deliveriesAfterASecretRotationAreSignedWithTheNewSecret() throws Exception {
        start(FAST);
        try (Receiver receiver = Receiver.start()) {
            CreatedWebhook hook = service.create("team", receiver.url(), EnumSet.of(PUSH), true);
            CreatedWebhook rotated = service.rotateSecret("team", hook.webhook().id());

            dispatcher.publish(push("team/app", "v1"));

            onlyDelivery(hook.webhook().id(), Status.DELIVERED);
            Receiver.Request request = receiver.requests().getFirst();
            assertThat(rotated.secret()).isNotEqualTo(hook.secret());
            assertThat(request.header("X-Stowage-Signature-256")).isEqualTo(expectedSignature(rotated.secret(), request.body()))
                    .isNotEqualTo(expectedSignature(hook.secret(), request.body()));
        }
    }

    @Test
    void aRetryQueuedBeforeASecretRotationIsSignedWithTheNewSecret() throws Exception {
        start(PATIENT);
        int port = Receiver.unusedPort();
        CreatedWebhook hook = service.create("team", Receiver.urlOn(port), EnumSet.of(PUSH), true);
        String hookId = hook.webhook().id();
        dispatcher.publish(push("team/app", "v1"));
        Eventually.until(() -> store.deliveries(hookId, Optional.empty(), 10),
                l -> l.size() == 1 && l.getFirst().attempts() >= 1, "a failed first attempt");

        CreatedWebhook rotated = service.rotateSecret("team", hookId);
        try (Receiver receiver = Receiver.startOn(port)) {
            onlyDelivery(hookId, Status.DELIVERED);
            Receiver.Request request = receiver.requests().getLast();
            assertThat(request.header("X-Stowage-Signature-256")).isEqualTo(expectedSignature(rotated.secret(), request.body()));
        }
    }
}
