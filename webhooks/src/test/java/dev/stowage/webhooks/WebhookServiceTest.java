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
import org.junit.jupiter.params.provider.CsvSource;
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
        for (String target : List.of("http://198.51.100.7:8080/in", "https://ci.example.com/hooks/stowage?team=a&x=1", "HTTPS://CI.example.com")) {
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

    /** With the defaults: no internal network allowed. */
    WebhookService strict() {
        WebhookDispatcher strict = new WebhookDispatcher(store, WebhookDispatcherTest.FAST.withAllowedNetworks(""), Clock.systemUTC());
        closeLater.add(strict);
        return new WebhookService(store, strict, Clock.systemUTC());
    }

    final List<WebhookDispatcher> closeLater = new java.util.ArrayList<>();

    @AfterEach
    void closeStrict() {
        closeLater.forEach(WebhookDispatcher::close);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1:5000/               | 127.0.0.1 is a loopback address",
            "http://127.9.8.7/                    | 127.9.8.7 is a loopback address",
            "http://[::1]:8080/                   | [::1] is a loopback address",
            "http://10.1.2.3/                     | 10.1.2.3 is a private address",
            "http://172.16.0.1/                   | 172.16.0.1 is a private address",
            "http://172.31.255.254/               | 172.31.255.254 is a private address",
            "http://192.168.1.1/                  | 192.168.1.1 is a private address",
            "http://[fc00::1]/                    | [fc00::1] is a private address",
            "http://100.64.0.1/                   | 100.64.0.1 is a shared (carrier-grade NAT) address",
            "http://169.254.169.254/latest/       | 169.254.169.254 is a link-local address",
            "http://[fe80::1]/                    | [fe80::1] is a link-local address",
            "http://[fd00:ec2::254]/              | [fd00:ec2::254] is a private address",
            "http://0.0.0.0:5000/                 | 0.0.0.0 is an unspecified address",
            "http://[::]:5000/                    | [::] is an unspecified address",
            "http://224.0.0.1/                    | 224.0.0.1 is a multicast address",
            "http://[ff02::1]/                    | [ff02::1] is a multicast address",
            "http://255.255.255.255/              | 255.255.255.255 is a reserved or broadcast address",
            "http://[::ffff:127.0.0.1]/           | [::ffff:127.0.0.1] is a loopback address",
            "http://[::ffff:a9fe:a9fe]/           | [::ffff:a9fe:a9fe] is a link-local address",
            "http://[::127.0.0.1]/                | [::127.0.0.1] is a loopback address (IPv4 in IPv6)",
            "http://[64:ff9b::a00:1]/             | [64:ff9b::a00:1] is a private address (IPv4 in IPv6)",
            "http://[2002:a9fe:a9fe::1]/          | [2002:a9fe:a9fe::1] is a link-local address (IPv4 in IPv6)",
            "http://2130706433:5000/              | 2130706433 is a loopback address",
            "http://0x7f000001:5000/              | 0x7f000001 is an IPv4 address in hexadecimal or octal form; write it as a.b.c.d",
            "http://0177.0.0.1:5000/              | 0177.0.0.1 is an IPv4 address in hexadecimal or octal form; write it as a.b.c.d",
            "http://localhost:5000/               | localhost resolves to a loopback address"})
    void anInternalTargetIsRefusedAtCreationNamingTheReason(String target, String reason) {
        WebhookService strict = strict();
        assertThatThrownBy(() -> strict.create("team", target, EnumSet.of(Type.PUSH), true))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).httpStatus()).isEqualTo(400))
                .hasMessage("target URL not allowed: " + reason
                        + "; webhooks reach only public addresses unless webhooks.allowedNetworks allows the network");
        assertThat(strict.list("team")).isEmpty();
    }

    @Test
    void anUpdateToAnInternalTargetIsRefusedAndChangesNothing() {
        WebhookService strict = strict();
        String id = strict.create("team", "https://198.51.100.7/hook", EnumSet.of(Type.PUSH), true).webhook().id();

        assertThatThrownBy(() -> strict.update("team", id, Optional.of("http://169.254.169.254/"), Optional.empty(),
                Optional.empty())).satisfies(e -> assertThat(((RegistryException) e).httpStatus()).isEqualTo(400));
        assertThat(strict.get("team", id).targetUrl()).isEqualTo("https://198.51.100.7/hook");
    }

    @Test
    void aNetworkTheAdministratorAllowedMayBeATarget() {
        WebhookDispatcher allowing = new WebhookDispatcher(store, WebhookDispatcherTest.FAST.withAllowedNetworks("10.0.0.0/8, ::1/128"),
                Clock.systemUTC());
        closeLater.add(allowing);
        WebhookService admin = new WebhookService(store, allowing, Clock.systemUTC());

        assertThat(admin.create("team", "http://10.1.2.3:8080/in", EnumSet.of(Type.PUSH), true).webhook().targetUrl())
                .isEqualTo("http://10.1.2.3:8080/in");
        assertThat(admin.create("team", "http://[::1]:8080/in", EnumSet.of(Type.PUSH), true)).isNotNull();
        assertThatThrownBy(() -> admin.create("team", "http://192.168.0.1/", EnumSet.of(Type.PUSH), true))
                .hasMessageContaining("192.168.0.1 is a private address");
    }
}
