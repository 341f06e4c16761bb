package dev.stowage.scanning.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scanner adapter that follows Harbor's pluggable scanner adapter API v1.1 to the letter (paths, statuses, MIME
 * types, {@code Refresh-After}, ErrorResponse), with knobs for the ways a real one fails. It records what it was sent.
 * Public (in scanning's test-jar) for the tests of the scanner capability, which make it pull what it is asked to scan
 * ({@link #onScanRequest}).
 */
public final class SpecAdapter implements AutoCloseable {
    public static final String METADATA_JSON = """
            {
              "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "0.50.1"},
              "capabilities": [{
                "consumes_mime_types": ["application/vnd.oci.image.manifest.v1+json",
                                        "application/vnd.docker.distribution.manifest.v2+json"],
                "produces_mime_types": ["application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
                                        "application/vnd.security.vulnerability.report; version=1.1"]
              }],
              "properties": {"harbor.scanner-adapter/scanner-type": "os-package-vulnerability",
                             "harbor.scanner-adapter/vulnerability-database-updated-at": "2023-02-08T08:16:33.345Z"}
            }
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String authHeader;
    private final String authValue;
    private final Map<String, AtomicInteger> pendingPolls = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    public final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();
    public final List<JsonNode> scanRequests = new CopyOnWriteArrayList<>();
    public final AtomicInteger reportGets = new AtomicInteger();

    /** Polls answered with 302 before the report is ready; negative: never ready. */
    public volatile int pollsBeforeReady = 0;
    public volatile String refreshAfter = "5";
    public volatile String report = "{}";
    public volatile String reportContentType = HarborMediaTypes.VULNERABILITY_REPORT;
    /** When set, the report answer is 500 with this ErrorResponse message. */
    public volatile String reportError;
    /** When set, the scan request answer is 422 with this ErrorResponse message. */
    public volatile String scanRequestError;
    /** Hold every answer until the adapter is closed (an adapter that accepted the connection and hangs). */
    public volatile boolean hang;
    /**
     * Called with each valid scan request before it is accepted, as a real adapter pulls the artifact it was given (the
     * tests of the scanner capability pull it from the running registry with the request's credential).
     */
    public volatile java.util.function.Consumer<JsonNode> onScanRequest = request -> { };

    public SpecAdapter(String authHeader, String authValue) throws IOException {
        this(authHeader, authValue, null);
    }

    /** @param tls when given, the adapter serves HTTPS with it */
    public SpecAdapter(String authHeader, String authValue, SSLContext tls) throws IOException {
        this.authHeader = authHeader;
        this.authValue = authValue;
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create((server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:"
                + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
            if (hang) {
                release.await(30, TimeUnit.SECONDS);
                return;
            }
            if (authHeader != null && !authValue.equals(exchange.getRequestHeaders().getFirst(authHeader))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (method.equals("GET") && path.equals("/api/v1/metadata")) {
                send(exchange, 200, HarborMediaTypes.METADATA, METADATA_JSON);
            } else if (method.equals("POST") && path.equals("/api/v1/scan")) {
                acceptScan(exchange);
            } else if (method.equals("GET") && path.matches("/api/v1/scan/[^/]+/report")) {
                report(exchange, path.split("/")[4]);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptScan(HttpExchange exchange) throws IOException {
        if (!HarborMediaTypes.SCAN_REQUEST.equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            error(exchange, 400, "unsupported content type");
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(exchange.getRequestBody());
        } catch (IOException e) {
            error(exchange, 400, "invalid JSON");
            return;
        }
        scanRequests.add(request);
        if (request.path("registry").path("url").asText("").isEmpty()
                || request.path("artifact").path("repository").asText("").isEmpty()
                || request.path("artifact").path("digest").asText("").isEmpty()) {
            error(exchange, 422, "missing registry.url, artifact.repository or artifact.digest");
            return;
        }
        if (scanRequestError != null) {
            error(exchange, 422, scanRequestError);
            return;
        }
        onScanRequest.accept(request);
        String id = "3fa85f64-5717-4562-b3fc-2c963f66afa" + nextId.getAndIncrement();
        pendingPolls.put(id, new AtomicInteger(pollsBeforeReady));
        send(exchange, 202, HarborMediaTypes.SCAN_RESPONSE, "{\"id\":\"" + id + "\"}");
    }

    private void report(HttpExchange exchange, String id) throws IOException {
        reportGets.incrementAndGet();
        AtomicInteger pending = pendingPolls.get(id);
        if (pending == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept == null || !accept.contains(HarborMediaTypes.VULNERABILITY_REPORT)) {
            error(exchange, 400, "unsupported report type " + accept);
            return;
        }
        if (reportError != null) {
            error(exchange, 500, reportError);
            return;
        }
        if (pending.get() < 0 || pending.getAndDecrement() > 0) {
            exchange.getResponseHeaders().set("Refresh-After", refreshAfter);
            exchange.getResponseHeaders().set("Location", "/api/v1/scan/" + id + "/report");
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        send(exchange, 200, reportContentType, report);
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, HarborMediaTypes.ERROR,
                JSON.createObjectNode().set("error", JSON.createObjectNode().put("message", message)).toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
