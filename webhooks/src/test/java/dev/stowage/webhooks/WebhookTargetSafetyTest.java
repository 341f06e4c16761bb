package dev.stowage.webhooks;

import dev.stowage.core.event.DeliveryAttempt;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.Webhook;
import dev.stowage.core.event.WebhookDelivery;
import dev.stowage.core.event.WebhookDelivery.Status;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static dev.stowage.core.event.RegistryEvent.Type.PUSH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks as a way into the registry's network (hole 6 of issue 8): a project administrator chooses the target URL,
 * so deliveries must not reach internal addresses, and the delivery log must not become a way to read internal
 * services or scan ports.
 */
class WebhookTargetSafetyTest {
    /** As an administrator would configure it to let the tests' receivers on 127.0.0.1 in. */
    static final WebhookSettings LOOPBACK_ALLOWED = WebhookDispatcherTest.FAST;
    /** The default: no internal address allowed. */
    static final WebhookSettings STRICT = WebhookDispatcherTest.FAST.withAllowedNetworks("");
    /** One attempt and short timeouts: every failure is final at once. */
    static final WebhookSettings ONE_SHOT = LOOPBACK_ALLOWED.withBackoff(Duration.ofMillis(20), Duration.ofMillis(20), 1)
            .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(700));

    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcWebhookStore store;
    WebhookDispatcher dispatcher;
    WebhookService service;

    void start(WebhookSettings settings) {
        start(settings, InetAddress::getAllByName);
    }

    void start(WebhookSettings settings, TargetAddressPolicy.Resolver resolver) {
        start(settings, resolver, (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
    }

    void start(WebhookSettings settings, TargetAddressPolicy.Resolver resolver, javax.net.ssl.SSLSocketFactory tls) {
        if (db == null) {
            db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
            store = new JdbcWebhookStore(db);
        }
        dispatcher = new WebhookDispatcher(store, settings, Clock.systemUTC(), resolver, tls);
        service = new WebhookService(store, dispatcher, Clock.systemUTC());
    }

    void restart(WebhookSettings settings) {
        dispatcher.close();
        start(settings);
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) dispatcher.close();
        if (db != null) db.close();
    }

    /** A webhook as it may already be stored: made before this check existed, or while its network was allowed. */
    String storedWebhook(String targetUrl) {
        Webhook w = new Webhook("hook-" + System.nanoTime(), "team", targetUrl, EnumSet.of(PUSH), "secret", true,
                Instant.ofEpochMilli(System.currentTimeMillis()));
        assertThat(store.createWebhook(w)).isTrue();
        dispatcher.subscriptionsChanged();
        return w.id();
    }

    WebhookDelivery onlyDelivery(String webhookId, Status status) {
        return Eventually.until(() -> store.deliveries(webhookId, Optional.empty(), 10),
                l -> l.size() == 1 && l.getFirst().status() == status, "one " + status + " delivery").getFirst();
    }

    static RegistryEvent push() {
        return WebhookDispatcherTest.push("team/app", "v1");
    }

    @Test
    void aWebhookCreatedWhileLoopbackWasAllowedIsRefusedAtSendTimeOnceItIsNot() throws Exception {
        start(LOOPBACK_ALLOWED);
        try (Receiver receiver = Receiver.start()) {
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();
            restart(STRICT);

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(failed.attempts()).as("a refused target is not retried").isEqualTo(1);
            assertThat(store.attempts(failed.id())).singleElement().satisfies(a -> {
                assertThat(a.statusCode()).isZero();
                assertThat(a.error()).isEqualTo("target not allowed: 127.0.0.1 is a loopback address");
            });
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void aHostnameThatResolvesToLoopbackIsRefusedAtSendTime() throws Exception {
        start(STRICT);
        try (Receiver receiver = Receiver.start()) {
            int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/.*", "$1"));
            String hookId = storedWebhook("http://localhost:" + port + "/hooks/stowage");

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(store.attempts(failed.id())).singleElement().extracting(DeliveryAttempt::error)
                    .isEqualTo("target not allowed: localhost resolves to a loopback address");
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void theDeliveryGoesToTheAddressThatWasCheckedWithTheUrlsHostInTheHostHeader() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // A name whose first answer is the allowed receiver and every later one an address it must never reach:
        // a DNS rebinding between check and connect.
        TargetAddressPolicy.Resolver rebinding = host -> {
            if (!host.equals("hooks.example.test")) return InetAddress.getAllByName(host);
            return new InetAddress[] {InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.1" : "169.254.169.254")};
        };
        start(LOOPBACK_ALLOWED, rebinding);
        try (Receiver receiver = Receiver.start()) {
            int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/.*", "$1"));
            String hookId = storedWebhook("http://hooks.example.test:" + port + "/hooks/stowage?x=1");

            dispatcher.publish(push());

            onlyDelivery(hookId, Status.DELIVERED);
            assertThat(lookups).as("resolved once, for the check and the connection alike").hasValue(1);
            assertThat(receiver.requests()).singleElement().satisfies(r -> {
                assertThat(r.header("Host")).isEqualTo("hooks.example.test:" + port);
                assertThat(r.header(":path")).isEqualTo("/hooks/stowage?x=1");
            });
        }
    }

    @Test
    void aNameWithAnyDisallowedAddressIsRefused() throws Exception {
        TargetAddressPolicy.Resolver mixed = host -> host.equals("hooks.example.test")
                ? new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("10.1.2.3")}
                : InetAddress.getAllByName(host);
        start(LOOPBACK_ALLOWED, mixed);
        try (Receiver receiver = Receiver.start()) {
            int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/.*", "$1"));
            String hookId = storedWebhook("http://hooks.example.test:" + port + "/hooks/stowage");

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(store.attempts(failed.id())).singleElement().extracting(DeliveryAttempt::error)
                    .isEqualTo("target not allowed: hooks.example.test resolves to a private address");
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void theReceiversAnswerNeverAppearsInTheDeliveryLog() throws Exception {
        start(LOOPBACK_ALLOWED);
        try (Receiver receiver = Receiver.start()) {
            receiver.failNext(Integer.MAX_VALUE, 500, "root:x:0:0:root:/root:/bin/bash secret-token-4711", null);
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(failed.lastStatusCode()).isEqualTo(500);
            assertThat(failed.lastError()).isEqualTo("HTTP 500");
            assertThat(store.attempts(failed.id())).extracting(DeliveryAttempt::error)
                    .containsExactly("HTTP 500", "HTTP 500", "HTTP 500", "HTTP 500");
        }
    }

    @Test
    void aRedirectIsAnAnswerAndNotANewTarget() throws Exception {
        start(LOOPBACK_ALLOWED);
        try (Receiver receiver = Receiver.start(); Receiver internal = Receiver.start()) {
            receiver.failNext(Integer.MAX_VALUE, 307, "", internal.url());
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(store.attempts(failed.id())).extracting(DeliveryAttempt::error).containsOnly("HTTP 307");
            assertThat(internal.requests()).isEmpty();
        }
    }

    /** A TCP server that does something other than answer HTTP with each connection. */
    static final class RawServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        RawServer(Consumer<Socket> onAccept) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        held.add(s);
                        onAccept.accept(s);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String url() {
            return Receiver.urlOn(socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) s.close();
        }
    }

    @Test
    void everyConnectionFailureReadsTheSameSoTheLogIsNoPortScanner() throws Exception {
        start(ONE_SHOT);
        try (RawServer silent = new RawServer(s -> {});
             RawServer reset = new RawServer(s -> {
                 try {
                     s.setSoLinger(true, 0);
                     s.close();
                 } catch (IOException ignored) {
                     // closed anyway
                 }
             });
             RawServer notHttp = new RawServer(s -> {
                 try (OutputStream out = s.getOutputStream()) {
                     out.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                 } catch (IOException ignored) {
                     // the client went away
                 }
             })) {
            List<String> targets = List.of(Receiver.urlOn(Receiver.unusedPort()), silent.url(), reset.url(), notHttp.url());
            List<String> hooks = targets.stream()
                    .map(t -> service.create("team", t, EnumSet.of(PUSH), true).webhook().id()).toList();

            dispatcher.publish(push());

            for (String hookId : hooks) {
                WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
                assertThat(store.attempts(failed.id())).singleElement().satisfies(a -> {
                    assertThat(a.statusCode()).isZero();
                    assertThat(a.error()).isEqualTo("connection failed");
                });
            }
        }
    }

    /** Reads the request head (the body is small and follows at once) and answers {@code answer}. */
    static Consumer<Socket> answering(String answer) {
        return s -> {
            try {
                s.getInputStream().read(new byte[65536]);
                s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            } catch (IOException ignored) {
                // the client went away
            }
        };
    }

    @Test
    void anInterimAnswerIsSkippedAndTheFinalStatusCounts() throws Exception {
        start(ONE_SHOT);
        try (RawServer receiver = new RawServer(answering("HTTP/1.1 100 Continue\r\nX-A: b\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))) {
            String hookId = service.create("team", receiver.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push());

            assertThat(store.attempts(onlyDelivery(hookId, Status.DELIVERED).id())).extracting(DeliveryAttempt::statusCode)
                    .containsExactly(204);
        }
    }

    @Test
    void aReceiverThatTricklesItsAnswerIsCutOffAtTheDeadline() throws Exception {
        start(ONE_SHOT); // the whole exchange: 0.5 s to connect + 0.7 s to answer
        try (RawServer trickling = new RawServer(s -> Thread.ofVirtual().start(() -> {
            try {
                s.getInputStream().read(new byte[65536]);
                while (true) { // a byte every 100 ms: each read is quick, the status line never ends
                    s.getOutputStream().write('H');
                    s.getOutputStream().flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException ignored) {
                // cut off, as it should be
            }
        }))) {
            String hookId = service.create("team", trickling.url(), EnumSet.of(PUSH), true).webhook().id();

            dispatcher.publish(push());

            WebhookDelivery failed = onlyDelivery(hookId, Status.FAILED);
            assertThat(store.attempts(failed.id())).singleElement().satisfies(a -> {
                assertThat(a.error()).isEqualTo("connection failed");
                assertThat(a.duration()).as("cut off at the deadline, generously bounded").isLessThan(Duration.ofSeconds(10));
            });
        }
    }

    // --- HTTPS: the connection goes to the checked address, TLS speaks to the URL's host name -----------------

    static void openssl(Path in, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }

    /** A self-signed certificate for {@code name}: its key store for a server, its certificate as the client's trust. */
    static javax.net.ssl.SSLContext[] certificateFor(Path in, String name) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/openssl")),
                "openssl is needed to make test certificates");
        openssl(in, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name);
        openssl(in, "pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:changeit");
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (var input = java.nio.file.Files.newInputStream(in.resolve(name + ".p12"))) {
            keys.load(input, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        javax.net.ssl.SSLContext server = javax.net.ssl.SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var input = java.nio.file.Files.newInputStream(in.resolve(name + ".crt"))) {
            trust.setCertificateEntry(name, java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(input));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext client = javax.net.ssl.SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        return new javax.net.ssl.SSLContext[] {server, client};
    }

    /** An HTTPS receiver on 127.0.0.1 serving {@code context}'s certificate; it records the SNI name and Host. */
    static com.sun.net.httpserver.HttpsServer httpsReceiver(javax.net.ssl.SSLContext context, List<String> seen) throws IOException {
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void anHttpsDeliveryGoesToTheCheckedAddressAndVerifiesTheCertificateForTheUrlsName() throws Exception {
        javax.net.ssl.SSLContext[] tls = certificateFor(dir, "hooks.example.test");
        List<String> seen = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpsServer receiver = httpsReceiver(tls[0], seen);
        try {
            TargetAddressPolicy.Resolver resolver = host -> host.equals("hooks.example.test")
                    ? new InetAddress[] {InetAddress.getByName("127.0.0.1")} : InetAddress.getAllByName(host);
            start(LOOPBACK_ALLOWED, resolver, tls[1].getSocketFactory());
            int port = receiver.getAddress().getPort();
            String named = storedWebhook("https://hooks.example.test:" + port + "/in");
            String byAddress = storedWebhook("https://127.0.0.1:" + port + "/in"); // the certificate does not name it

            dispatcher.publish(push());

            onlyDelivery(named, Status.DELIVERED);
            assertThat(seen).containsExactly("hooks.example.test:" + port);
            WebhookDelivery refused = onlyDelivery(byAddress, Status.FAILED);
            assertThat(store.attempts(refused.id())).extracting(DeliveryAttempt::error).containsOnly("connection failed");
        } finally {
            receiver.stop(0);
        }
    }
}
