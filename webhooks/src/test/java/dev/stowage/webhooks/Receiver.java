package dev.stowage.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on a real socket: records every request, answers 200, or a chosen error status for the next
 * few requests, or holds requests until released.
 */
final class Receiver implements AutoCloseable {
    record Request(Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 500;
    private volatile String failureBody = "receiver says no";
    private volatile String failureLocation;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    private Receiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static Receiver start() throws IOException {
        return new Receiver(0);
    }

    static Receiver startOn(int port) throws IOException {
        return new Receiver(port);
    }

    /** A port nothing listens on (yet): connections to it are refused. */
    static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String urlOn(int port) {
        return "http://127.0.0.1:" + port + "/hooks/stowage";
    }

    String url() {
        return urlOn(server.getAddress().getPort());
    }

    /** The next {@code count} requests are answered with {@code status}. */
    void failNext(int count, int status) {
        failNext(count, status, "receiver says no", null);
    }

    /** The next {@code count} requests are answered with {@code status}, {@code body} and, if given, a Location. */
    void failNext(int count, int status, String body, String location) {
        failureStatus = status;
        failureBody = body;
        failureLocation = location;
        failuresLeft.set(count);
    }

    /** Requests wait (after being recorded) until {@link #release()}. */
    void holdRequests() {
        hold = new CountDownLatch(1);
    }

    void release() {
        hold.countDown();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            headers.put(":method", exchange.getRequestMethod());
            headers.put(":path", exchange.getRequestURI().toString());
            requests.add(new Request(headers, exchange.getRequestBody().readAllBytes()));
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failureStatus : 200;
            byte[] answer = (status == 200 ? "ok" : failureBody).getBytes();
            if (status != 200 && failureLocation != null) exchange.getResponseHeaders().set("Location", failureLocation);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
