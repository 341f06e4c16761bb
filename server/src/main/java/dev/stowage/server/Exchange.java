package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.RegistryException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.ssl.SslHandler;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One request and its response. Built on the event loop; its send methods may be called from any thread (Netty
 * hands writes to the channel's event loop). Exactly one response is sent; later attempts are ignored.
 */
final class Exchange {
    /** Instants and durations as ISO-8601 text, as every other time in the API. */
    static final ObjectMapper JSON = JsonMapper.builder().addModule(new com.fasterxml.jackson.databind.module.SimpleModule()
            .addSerializer(java.time.Instant.class, com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance)
            .addSerializer(java.time.Duration.class, com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance))
            .build();

    private final Channel channel;
    private final HttpRequest request;
    private final QueryStringDecoder uri;
    private final RequestBody body;
    private final long startNanos = System.nanoTime();
    private final boolean keepAlive;
    private final AtomicBoolean responded = new AtomicBoolean();
    private final Consumer<Exchange> onComplete;
    private volatile int status;
    private volatile long bytesSent;
    private volatile String failureNote;
    private volatile String manifestDigest = "";
    /** Set when the request's framing is broken: nothing after it on this connection can be trusted. */
    private volatile boolean closeAfterResponse;
    private volatile dev.stowage.core.access.Principal principal = dev.stowage.core.access.Principal.ANONYMOUS;

    /** The client, its scheme and host, as the TCP peer or a trusted proxy tells them. */
    private final TrustedProxies.RequestOrigin origin;

    /** An exchange whose client is the TCP peer itself. */
    Exchange(Channel channel, HttpRequest request, RequestBody body, Consumer<Exchange> onComplete) {
        this(channel, request, body, onComplete, new TrustedProxies.RequestOrigin(
                channel.remoteAddress() instanceof java.net.InetSocketAddress inet ? inet.getAddress() : null,
                channel.pipeline().get(SslHandler.class) != null, Optional.empty()));
    }

    Exchange(Channel channel, HttpRequest request, RequestBody body, Consumer<Exchange> onComplete,
             TrustedProxies.RequestOrigin origin) {
        this.channel = channel;
        this.origin = origin;
        this.request = request;
        this.uri = new QueryStringDecoder(request.uri());
        this.body = body;
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.onComplete = onComplete;
    }

    HttpMethod method() { return request.method(); }

    /** The decoded path; malformed percent-encoding is a client mistake, answered 400. */
    String path() {
        try {
            return uri.path();
        } catch (IllegalArgumentException e) {
            throw malformedUri();
        }
    }

    /** The request target as received, escaped for log lines (it is client-controlled text). */
    String rawUri() { return LogText.escape(request.uri(), 2048); }

    HttpHeaders headers() { return request.headers(); }

    RequestBody body() { return body; }

    Channel channel() { return channel; }

    long startNanos() { return startNanos; }

    int status() { return status; }

    long bytesSent() { return bytesSent; }

    String failureNote() { return failureNote; }

    /** The manifest a push, pull or delete resolved to (its tag may move later), for the audit trail. */
    String manifestDigest() { return manifestDigest; }

    void manifestDigest(dev.stowage.core.Digest digest) { this.manifestDigest = digest.toString(); }

    private volatile String[] auditAs;

    /** The audit trail's action, reference and detail for this request, set by a route whose outcome is the point. */
    void auditAs(String action, String reference, String detail) { this.auditAs = new String[] {action, reference, detail}; }

    /** What {@link #auditAs} set: {action, reference, detail}, or null. */
    String[] auditAs() { return auditAs; }

    /** Who the access check (or the token endpoint) found behind this request. */
    dev.stowage.core.access.Principal principal() { return principal; }

    private String refusedActor;

    void principal(dev.stowage.core.access.Principal who) { this.principal = who; }

    /**
     * The access check for this request, the one way routes run it: the principal it lets through, or, when it
     * refuses someone it did identify, who that was, so the audit trail names them.
     */
    void authorize(dev.stowage.core.access.AccessController access, dev.stowage.core.access.AccessRequest request) {
        try {
            principal = access.authorize(request);
        } catch (RegistryException e) {
            refusedActor = e.refusedActor().orElse(null);
            throw e;
        }
    }

    /**
     * The same access check from memory only (on an event loop): true, with the principal set, when it lets the
     * request through; false when the ordinary check must decide.
     */
    boolean authorizeFromMemory(dev.stowage.core.access.AccessController access, dev.stowage.core.access.AccessRequest request) {
        Optional<dev.stowage.core.access.Principal> who = access.authorizeFromMemory(request);
        who.ifPresent(p -> principal = p);
        return who.isPresent();
    }

    /** Who made this request as the audit trail names them: the signed-in user, one refused, or "" (anonymous). */
    String actor() {
        if (principal instanceof dev.stowage.core.access.Principal.User user) return user.username();
        if (principal instanceof dev.stowage.core.access.Principal.Robot robot) return robot.name(); // admission reviews
        return refusedActor == null ? "" : refusedActor;
    }

    boolean responded() { return responded.get(); }

    /** The response will say {@code Connection: close} and the connection closes once it is written. */
    void closeAfterResponse() { closeAfterResponse = true; }

    Optional<String> query(String name) {
        List<String> values;
        try {
            values = uri.parameters().get(name);
        } catch (IllegalArgumentException e) {
            throw malformedUri();
        }
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    List<String> queryAll(String name) {
        try {
            return uri.parameters().getOrDefault(name, List.of());
        } catch (IllegalArgumentException e) {
            throw malformedUri();
        }
    }

    private static RegistryException malformedUri() {
        return new RegistryException(dev.stowage.core.ErrorCode.UNSUPPORTED, "malformed percent-encoding in the URI",
                null, 400);
    }

    Optional<String> header(CharSequence name) {
        return Optional.ofNullable(request.headers().get(name));
    }

    /**
     * Whether the client reached the registry over https (through a trusted proxy, the scheme it says the client
     * used): for URLs the registry builds and cookies it sets.
     */
    boolean secure() {
        return origin.secure();
    }

    TrustedProxies.RequestOrigin origin() { return origin; }

    /** Whether this connection itself is TLS (how a file can be sent). */
    private boolean encrypted() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    /** The host the client asked for: a trusted proxy's forwarded host, else the (checked) Host header. */
    Optional<String> host() {
        return origin.host().or(() -> header(io.netty.handler.codec.http.HttpHeaderNames.HOST));
    }

    /**
     * The client's address: the TCP peer, or the client a trusted proxy names. Every user of the client address
     * (allowlists, rate limit, sign-in throttle, audit trail, access log) takes it from here.
     */
    String clientAddress() {
        if (origin.client() != null) return origin.client().getHostAddress();
        return String.valueOf(channel.remoteAddress());
    }

    // --- responses ------------------------------------------------------------------------------------------

    static Map<String, Object> headersOf(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) map.put((String) keyValues[i], keyValues[i + 1]);
        return map;
    }

    void sendEmpty(int status, Map<String, Object> headers) {
        sendBytes(status, headers, null, new byte[0]);
    }

    void sendJson(int status, Map<String, Object> headers, Object value) {
        try {
            sendBytes(status, headers, "application/json", JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends bytes; for HEAD, sends only the headers (Content-Length still says how long the body would be).
     */
    void sendBytes(int status, Map<String, Object> headers, String contentType, byte[] content) {
        if (!responded.compareAndSet(false, true)) return;
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        HttpHeaders h = response.headers();
        commonHeaders(h);
        if (contentType != null) h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.forEach(h::set);
        h.set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        this.status = status;
        this.bytesSent = head ? 0 : content.length;
        finish(channel.writeAndFlush(response));
    }

    /** Answers a HEAD request for content of {@code length} bytes: the headers, no body. */
    void sendHeadersOnly(int status, Map<String, Object> headers, String contentType, long length) {
        if (!responded.compareAndSet(false, true)) return;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.EMPTY_BUFFER);
        HttpHeaders h = response.headers();
        commonHeaders(h);
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.forEach(h::set);
        h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        this.status = status;
        finish(channel.writeAndFlush(response));
    }

    /** Sends {@code length} bytes of a file from {@code offset}: sendfile(2) on plain connections, chunks under TLS. */
    void sendFile(int status, Map<String, Object> headers, Path file, long offset, long length) throws IOException {
        if (!responded.compareAndSet(false, true)) return;
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HttpHeaders h = response.headers();
        commonHeaders(h);
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        headers.forEach(h::set);
        h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        this.status = status;
        FileChannel fileChannel = FileChannel.open(file, StandardOpenOption.READ);
        channel.write(response);
        if (!encrypted()) {
            channel.write(new DefaultFileRegion(fileChannel, offset, length));
        } else {
            channel.write(new ChunkedNioFile(fileChannel, offset, length, 256 * 1024));
        }
        this.bytesSent = length;
        finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }

    void sendError(RegistryException e) {
        sendError(e, Map.of());
    }

    /** As {@link #sendError(RegistryException)}, with more top-level fields beside {@code errors}. */
    void sendError(RegistryException e, Map<String, Object> alongside) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code().name());
        error.put("message", e.getMessage());
        if (e.detail() != null) error.put("detail", e.detail());
        Map<String, Object> headers = new LinkedHashMap<>(e.headers());
        if (e.httpStatus() == 416 && e.detail() instanceof Map<?, ?> d && d.get("size") != null) {
            headers.put("Content-Range", "bytes */" + d.get("size"));
        }
        failureNote = e.code().name() + e.auditNote().map(n -> " " + LogText.escape(n, 512)).orElse("");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errors", List.of(error));
        body.putAll(alongside);
        sendJson(e.httpStatus(), headers, body);
    }

    private void commonHeaders(HttpHeaders h) {
        h.set("Docker-Distribution-API-Version", "registry/2.0");
        if (!keepAlive || closeAfterResponse) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }

    private void finish(ChannelFuture future) {
        boolean close = !keepAlive || closeAfterResponse;
        // Completion runs as its own event-loop task so that it never re-enters the handler mid-dispatch.
        future.addListener(f -> {
            if (!channel.eventLoop().isShuttingDown()) channel.eventLoop().execute(() -> onComplete.accept(this));
        });
        if (close) future.addListener(ChannelFutureListener.CLOSE);
    }
}
