package dev.stowage.webhooks;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.event.RegistryEvent.Type;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookServiceTest {
    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcWebhookStore store;
    WebhookDispatcher dispatcher;
    WebhookService service;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        store = new JdbcWebhookStore(db);
        // Retries far apart: a delivery to a dead receiver stays PENDING for the whole test.
        dispatcher = new WebhookDispatcher(store, WebhookDispatcherTest.FAST.withBackoff(Duration.ofHours(1),
                Duration.ofHours(1), 5), Clock.systemUTC());
        service = new WebhookService(store, dispatcher, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        dispatcher.close();
        db.close();
    }

    static ErrorCode codeOf(Throwable t) {
        return ((RegistryException) t).code();
    }

    @Test
    void theSecretIsShownOnceAndNowhereElse() {
        CreatedWebhook created = service.create("team", "https://ci.example.com/hook", EnumSet.of(Type.PUSH), true);
        CreatedWebhook another = service.create("team", "https://ci.example.com/hook", EnumSet.of(Type.PUSH), true);

        assertThat(created.secret()).matches("[0-9a-f]{64}").isNotEqualTo(another.secret());
        assertThat(store.findWebhook(created.webhook().id()).orElseThrow().secret()).isEqualTo(created.secret());
        assertThat(created.toString()).doesNotContain(created.secret());
        assertThat(service.get("team", created.webhook().id()).toString()).doesNotContain(created.secret());
        assertThat(service.list("team")).extracting(WebhookInfo::id)
                .containsExactly(created.webhook().id(), another.webhook().id());
        assertThat(store.findWebhook(created.webhook().id()).orElseThrow().toString()).doesNotContain(created.secret());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://ci.example.com/hook", "file:///etc/passwd", "https://user:pw@ci.example.com/hook",
            "https://token@ci.example.com/", "http:///no-host", "/relative/path", "not a url", "https://ci.example.com/#frag",
            "", "javascript:alert(1)"})
    void targetsMustBeHttpOrHttpsUrlsWithAHostAndNoUserInformation(String target) {
        assertThatThrownBy(() -> service.create("team", target, EnumSet.of(Type.PUSH), true))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).httpStatus()).isEqualTo(400));
        assertThat(service.list("team")).isEmpty();
    }

    @Test
    void plainHttpAndHttpsWithPortsPathsAndQueriesAreAccepted() {
        for (String target : List.of("http://10.1.2.3:8080/in", "https://ci.example.com/hooks/stowage?team=a&x=1", "HTTPS://CI.example.com")) {
            assertThat(service.create("team", target, EnumSet.of(Type.PUSH), true).webhook().targetUrl()).isEqualTo(target);
        }
    }

    @Test
    void aWebhookSubscribesToAtLeastOneEventAndNeverToPing() {
        assertThatThrownBy(() -> service.create("team", "https://x.example/", Set.of(), true)).isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> service.create("team", "https://x.example/", EnumSet.of(Type.PING), true))
                .isInstanceOf(RegistryException.class);
        assertThat(WebhookService.parseEvents(List.of("push", "QUOTA_EXCEEDED", "dev.stowage.gc.completed")))
                .containsExactlyInAnyOrder(Type.PUSH, Type.QUOTA_EXCEEDED, Type.GC_COMPLETED);
        assertThatThrownBy(() -> WebhookService.parseEvents(List.of("push", "explode"))).hasMessageContaining("explode");
    }

    @Test
    void projectNamesAreOneRepositoryPathComponent() {
        assertThatThrownBy(() -> service.create("team/app", "https://x.example/", EnumSet.of(Type.PUSH), true))
                .isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> service.create("Team", "https://x.example/", EnumSet.of(Type.PUSH), true))
                .isInstanceOf(RegistryException.class);
    }

    @Test
    void aWebhookOfAnotherProjectIsNotFound() {
        String id = service.create("team", "https://x.example/", EnumSet.of(Type.PUSH), true).webhook().id();

        for (Runnable call : List.<Runnable>of(() -> service.get("other", id), () -> service.delete("other", id),
                () -> service.update("other", id, Optional.empty(), Optional.empty(), Optional.of(false)),
                () -> service.rotateSecret("other", id), () -> service.ping("other", id, "mallory"),
                () -> service.deliveries("other", id, Optional.empty(), 10))) {
            assertThatThrownBy(call::run).satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
        }
        assertThat(store.findWebhook(id).orElseThrow().enabled()).isTrue();
    }

    @Test
    void aDeliveryIsReachedOnlyThroughItsOwnWebhook() {
        String first = service.create("team", "http://127.0.0.1:9/", EnumSet.of(Type.PUSH), true).webhook().id();
        String second = service.create("team", "http://127.0.0.1:9/", EnumSet.of(Type.PUSH), true).webhook().id();
        WebhookDelivery ping = service.ping("team", first, "admin");

        assertThat(service.delivery("team", first, ping.id()).id()).isEqualTo(ping.id());
        assertThatThrownBy(() -> service.delivery("team", second, ping.id()))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> service.redeliver("team", second, ping.id()))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void updateChangesWhatIsGivenAndKeepsTheSecretWhileRotationReplacesIt() {
        CreatedWebhook created = service.create("team", "https://x.example/", EnumSet.of(Type.PUSH), true);
        String id = created.webhook().id();

        WebhookInfo updated = service.update("team", id, Optional.of("https://y.example/in"),
                Optional.of(EnumSet.of(Type.DELETE, Type.QUOTA_WARNING)), Optional.empty());

        assertThat(updated).isEqualTo(new WebhookInfo(id, "team", "https://y.example/in",
                EnumSet.of(Type.DELETE, Type.QUOTA_WARNING), true, created.webhook().createdAt()));
        assertThat(service.get("team", id)).isEqualTo(updated);
        assertThat(store.findWebhook(id).orElseThrow().secret()).isEqualTo(created.secret());

        CreatedWebhook rotated = service.rotateSecret("team", id);
        Webhook stored = store.findWebhook(id).orElseThrow();
        assertThat(rotated.secret()).isNotEqualTo(created.secret()).isEqualTo(stored.secret());
        assertThat(rotated.webhook()).isEqualTo(updated);
    }

    @Test
    void deletingAWebhookDeletesItsLog() {
        String id = service.create("team", "http://127.0.0.1:9/", EnumSet.of(Type.PUSH), true).webhook().id();
        WebhookDelivery ping = service.ping("team", id, "admin");

        service.delete("team", id);

        assertThat(service.list("team")).isEmpty();
        assertThat(store.findDelivery(ping.id())).isEmpty();
        assertThatThrownBy(() -> service.delete("team", id)).satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aDeliveryStillUnderWayIsNotRedelivered() {
        String id = service.create("team", "http://127.0.0.1:9/", EnumSet.of(Type.PUSH), true).webhook().id();
        WebhookDelivery ping = service.ping("team", id, "admin");

        assertThatThrownBy(() -> service.redeliver("team", id, ping.id()))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void theLogIsReadInPagesOfAtMostOneHundred() {
        String id = service.create("team", "http://127.0.0.1:9/", EnumSet.of(Type.PUSH), true).webhook().id();
        WebhookDelivery older = service.ping("team", id, "admin");
        WebhookDelivery newer = service.ping("team", id, "admin");

        assertThat(service.deliveries("team", id, Optional.empty(), 1)).extracting(WebhookDelivery::id).containsExactly(newer.id());
        assertThat(service.deliveries("team", id, Optional.of(newer.id()), 100)).extracting(WebhookDelivery::id)
                .containsExactly(older.id());
        for (int bad : new int[] {0, 101, -1}) {
            assertThatThrownBy(() -> service.deliveries("team", id, Optional.empty(), bad))
                    .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.PAGINATION_NUMBER_INVALID));
        }
    }
}
