package dev.stowage.it.adversarial;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A project administrator points webhooks at the registry's own network: loopback services, cloud metadata,
 * private ranges, other schemes, and addresses spelled to slip past a check. None of them is accepted, and nothing
 * reaches a loopback receiver.
 */
class WebhookAttackTest extends AttackTest {
    static HttpServer internal;
    static final AtomicInteger reached = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", exchange -> {
            reached.incrementAndGet();
            byte[] secret = "internal-secret-answer".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, secret.length);
            exchange.getResponseBody().write(secret);
            exchange.close();
        });
        internal.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (internal != null) internal.stop(0);
    }

    @Test
    void webhooksToInternalAddressesAreRefused() throws Exception {
        int port = internal.getAddress().getPort();
        String[] targets = {"http://127.0.0.1:" + port + "/", "http://localhost:" + port + "/", "http://127.1:" + port + "/",
                "http://[::1]:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/", "http://2130706433:" + port + "/",
                "http://0x7f000001:" + port + "/", "http://0.0.0.0:" + port + "/", "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/", "http://[fd00::1]/",
                "http://[fe80::1]/", "file:///etc/passwd", "gopher://127.0.0.1:" + port + "/", "ftp://example.com/",
                "http://user@127.0.0.1:" + port + "/"};
        for (String url : targets) {
            HttpResponse<String> r = target.basicCall("alice", Target.PASSWORD, "POST", "/api/v1/projects/alpha/webhooks",
                    "{\"targetUrl\":\"" + url + "\",\"events\":[\"PUSH\"]}");
            assertThat(r.statusCode()).as(url).isEqualTo(400);
            assertThat(r.body()).as(url).contains("\"errors\"");
        }
        assertThat(reached.get()).isZero();
    }
}
