package dev.stowage.webhooks;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.metadata.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Two nodes, each with its own pool and dispatcher, sharing one real PostgreSQL database. */
class PostgresDispatcherTest {
    @BeforeAll
    static void requirePostgres() {
        PostgresServer.assumeAvailable();
    }

    @Test
    void twoNodesDeliverEveryEventExactlyOnce() throws Exception {
        MetadataConfig database = PostgresServer.shared().newDatabase();
        int events = 60;
        try (Receiver receiver = Receiver.start()) {
            receiver.failNext(10, 502); // some retries in the mix, claimed by either node
            List<RegistryEvent> published = new ArrayList<>();
            String hookId;
            try (JdbcMetadataStore dbA = JdbcMetadataStore.open(database); JdbcMetadataStore dbB = JdbcMetadataStore.open(database)) {
                JdbcWebhookStore storeA = new JdbcWebhookStore(dbA);
                JdbcWebhookStore storeB = new JdbcWebhookStore(dbB);
                WebhookSettings settings = WebhookDispatcherTest.PATIENT;
                try (WebhookDispatcher nodeA = new WebhookDispatcher(storeA, settings, Clock.systemUTC())) {
                    hookId = new WebhookService(storeA, nodeA, Clock.systemUTC())
                            .create("team", receiver.url(), EnumSet.of(RegistryEvent.Type.PUSH), true).webhook().id();
                    try (WebhookDispatcher nodeB = new WebhookDispatcher(storeB, settings, Clock.systemUTC())) {
                        nodeB.subscriptionsChanged(); // node B's view includes the webhook made on node A
                        for (int i = 0; i < events; i++) {
                            RegistryEvent e = RegistryEvent.pushed(RepositoryName.of("team/app"),
                                    Digest.sha256Of(new byte[] {(byte) i}), Tag.of("v" + i), "application/json", "ci");
                            published.add(e);
                            (i % 2 == 0 ? nodeA : nodeB).publish(e);
                        }
                        Eventually.until(() -> storeA.deliveries(hookId, Optional.empty(), 100),
                                l -> l.size() == events && l.stream().allMatch(d -> d.status() == WebhookDelivery.Status.DELIVERED),
                                "all delivered");
                    }
                }
            }
            // Both nodes are stopped: nothing is in flight any more, every request the receiver will see is in.
            List<String> successfulDeliveryIds = new ArrayList<>();
            Set<String> eventIds = new HashSet<>();
            List<Receiver.Request> requests = receiver.requests();
            for (int i = 10; i < requests.size(); i++) { // the first 10 were answered 502
                successfulDeliveryIds.add(requests.get(i).header("X-Stowage-Delivery"));
                eventIds.add(WebhookDispatcherTest.JSON.readTree(requests.get(i).body()).path("id").asText());
            }
            assertThat(successfulDeliveryIds).hasSize(events).doesNotHaveDuplicates();
            assertThat(eventIds).containsExactlyInAnyOrderElementsOf(published.stream().map(RegistryEvent::id).toList());
            assertThat(requests).hasSize(events + 10);
        }
    }
}
