package dev.stowage.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's client side of the Docker token flow, against a small registry front that checks tokens over real HTTP. */
class TokenAuthTest {
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("ci:secret-password".getBytes(StandardCharsets.UTF_8));

    private HttpServer server;
    private ExecutorService serverThreads;
    private URI base;
    /** Tokens the front accepts, by the scope they were issued for. */
    private final Map<String, String> valid = new ConcurrentHashMap<>();
    private final List<String> signIns = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newFixedThreadPool(8);
        server.setExecutor(serverThreads);
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        server.createContext("/auth/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    /** The realm: Basic credentials for a token of the scope asked, valid until the test revokes it. */
    private void token(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery(); // decoded
        if (!BASIC.equals(exchange.getRequestHeaders().getFirst("Authorization")) || !query.startsWith("service=front")) {
            answer(exchange, 401, "{}");
            return;
        }
        String scope = query.contains("&scope=") ? query.substring(query.indexOf("&scope=") + 7) : "";
        signIns.add(scope);
        String token = "t" + issued.incrementAndGet();
        valid.put(scope, token);
        answer(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":300}");
    }

    /** The registry: 401 with a Bearer challenge unless the request carries the token of its repository's scope. */
    private void registry(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String scope = path.equals("/v2/") ? "" : "repository:" + path.substring(4, path.indexOf("/manifests/")) + ":pull,push";
        String expected = valid.get(scope);
        if (expected == null || !("Bearer " + expected).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + base + "/auth/token\",service=\"front\"");
            answer(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
        }
        answer(exchange, 200, "{\"schemaVersion\":2}");
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void signsInAtTheChallengesRealmOncePerScopeAndSendsTheTokenOnEveryRequest() throws Exception {
        TokenAuth auth = new TokenAuth(base, "ci", "secret-password");
        try (HttpConnection c = new HttpConnection(base, null, auth)) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null).status()).isEqualTo(200);
                assertThat(c.send("GET", "/v2/team/tags/manifests/v" + i, Map.of(), null, false, null).status()).isEqualTo(200);
            }
        }
        assertThat(signIns).containsExactly("repository:team/app:pull,push", "repository:team/tags:pull,push");
        assertThat(auth.signIns()).isEqualTo(2);
    }

    @Test
    void manyConnectionsAtOnceShareOneSignIn() throws Exception {
        TokenAuth auth = new TokenAuth(base, "ci", "secret-password");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                statuses.add(pool.submit(() -> {
                    try (HttpConnection c = new HttpConnection(base, null, auth)) {
                        return c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null).status();
                    }
                }));
            }
            for (Future<Integer> status : statuses) assertThat(status.get()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(signIns).hasSize(1);
    }

    @Test
    void aRefusedTokenIsReplacedByANewSignInAndTheRequestRepeated() throws Exception {
        TokenAuth auth = new TokenAuth(base, "ci", "secret-password");
        try (HttpConnection c = new HttpConnection(base, null, auth)) {
            assertThat(c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null).status()).isEqualTo(200);
            valid.clear(); // the registry forgets every token (expired early, keys rotated)
            assertThat(c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null).status()).isEqualTo(200);
            assertThat(c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null).status()).isEqualTo(200);
        }
        assertThat(signIns).hasSize(2);
        assertThat(Set.copyOf(valid.values())).containsExactly("t2");
    }

    @Test
    void wrongCredentialsStopTheBenchWithTheRealmsAnswer() {
        TokenAuth auth = new TokenAuth(base, "ci", "wrong-password");
        assertThatThrownBy(() -> {
            try (HttpConnection c = new HttpConnection(base, null, auth)) {
                c.send("GET", "/v2/team/app/manifests/latest", Map.of(), null, false, null);
            }
        }).hasMessageContaining("sign-in at " + base + "/auth/token for repository:team/app:pull,push: expected 200, got 401");
    }

    @Test
    void anOpenRegistryIsNotSignedInto() {
        server.removeContext("/v2/");
        server.createContext("/v2/", exchange -> answer(exchange, 200, "{}"));
        TokenAuth auth = new TokenAuth(base, "ci", "secret-password");
        assertThatThrownBy(() -> auth.authorization("")).hasMessage(base + " did not challenge for a Bearer token (GET /v2/: 200)");
    }

    @Test
    void theScopeIsTheRepositoryBeforeTheRoutesTailOrTheCatalog() {
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(TokenAuth.scopeOf("/v2/bench/tags/tags/list")).isEqualTo("repository:bench/tags:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/bench/tags/tags/list?n=100&last=t1")).isEqualTo("repository:bench/tags:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/a/manifests/blobs/manifests/v1")).isEqualTo("repository:a/manifests/blobs:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/team/app/blobs/" + digest)).isEqualTo("repository:team/app:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/team/app/blobs/uploads/")).isEqualTo("repository:team/app:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/team/app/blobs/uploads/3f1c?_state=x&digest=" + digest))
                .isEqualTo("repository:team/app:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/team/app/referrers/" + digest)).isEqualTo("repository:team/app:pull,push");
        assertThat(TokenAuth.scopeOf("/v2/_catalog?n=100")).isEqualTo("registry:catalog:*");
        assertThat(TokenAuth.scopeOf("/v2/")).isEqualTo(TokenAuth.NO_SCOPE);
        assertThat(TokenAuth.scopeOf("/v2/manifests/latest")).isEqualTo(TokenAuth.NO_SCOPE);
    }
}
