package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One HTTP/1.1 connection: turns decoded requests into exchanges, one at a time. Requests with a body are
 * dispatched as soon as their headers arrive so the body streams into storage; requests without one are
 * dispatched when complete. Pipelined requests wait in order, with reading paused, until the current response
 * is written.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionHandler.class);
    private final RegistryApi api;
    private final AccessLog accessLog;
    private final NetworkPolicy network;
    private final java.util.Optional<HttpAudit> audit;
    private final RequestTimeouts timeouts;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private boolean currentDispatched;
    private boolean responseDone;
    private long drainedBytes;
    private boolean bodyPaused;
    /** After an early answer (an error before the body was read), at most this much body is read and dropped. */
    private static final long DRAIN_LIMIT = 64L << 20;

    ConnectionHandler(RegistryApi api, AccessLog accessLog, NetworkPolicy network, java.util.Optional<HttpAudit> audit,
                      RequestTimeouts timeouts) {
        this.api = api;
        this.timeouts = timeouts;
        this.accessLog = accessLog;
        this.network = network;
        this.audit = audit;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (current != null && current.body().ended()) {
            // A pipelined request behind one still being answered.
            pipelined.add(msg);
            updateAutoRead();
            return;
        }
        handle(msg);
    }

    private void handle(Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                startExchange(request);
            }
            if (msg instanceof HttpContent content && current != null) {
                if (content.decoderResult().isFailure()) {
                    // Broken chunked encoding: the body did not end, it broke. The consumer fails instead of taking
                    // what came so far as the whole body, and the connection closes after the answer (the
                    // decoder has lost the framing).
                    current.closeAfterResponse();
                    current.body().fail(malformedChunkedBody());
                    if (responseDone) ctx.close(); // answered already; what follows would only be dropped
                    return;
                }
                current.body().offer(content);
                if (responseDone) {
                    drainedBytes += content.content().readableBytes();
                    if (drainedBytes > DRAIN_LIMIT) {
                        ctx.close();
                        return;
                    }
                }
                if (content instanceof LastHttpContent) {
                    timeouts.enter(RequestTimeouts.Phase.SERVING);
                    if (!currentDispatched) {
                        dispatch();
                    } else if (responseDone) {
                        endExchange();
                        return;
                    }
                    updateAutoRead();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startExchange(HttpRequest request) {
        long declaredLength;
        RegistryException malformed = null;
        try {
            declaredLength = declaredLength(request);
        } catch (RegistryException e) {
            declaredLength = -1;
            malformed = e;
        }
        RequestBody body = new RequestBody(declaredLength, this::pauseBody);
        current = new Exchange(ctx.channel(), request, body, this::exchangeComplete, network.originOf(peerAddress(),
                ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null, request.headers()));
        timeouts.enter(hasBodyFraming(request) ? RequestTimeouts.Phase.BODY : RequestTimeouts.Phase.SERVING);
        currentDispatched = false;
        responseDone = false;
        drainedBytes = 0;
        if (malformed != null || request.decoderResult().isFailure()) {
            // The request's framing is unknown: answer, then close (nothing after it can be parsed reliably).
            refuse(malformed != null ? malformed : badRequest(request.decoderResult().cause()), true);
            return;
        }
        try {
            // Nothing may be built from a forged Host (the challenge realm is): refuse before anything reads it.
            HostHeader.check(request, ctx.channel().localAddress());
            InetAddress client = current.origin().client();
            if (client != null) network.check(client);
        } catch (RegistryException e) {
            refuse(e, e.httpStatus() == 400);
            return;
        }
        if (declaredLength > 0 || HttpUtil.isTransferEncodingChunked(request)) dispatch();
    }

    private InetAddress peerAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
    }

    /** Answers the current request with {@code error} before reading its body; {@code close}: and the connection. */
    private void refuse(RegistryException error, boolean close) {
        current.body().discard();
        currentDispatched = true;
        if (close) current.closeAfterResponse();
        current.sendError(error);
    }

    private void dispatch() {
        currentDispatched = true;
        Exchange exchange = current;
        if (!api.tryInline(exchange)) {
            Thread.ofVirtual().start(() -> {
                try {
                    api.handle(exchange);
                } finally {
                    exchange.body().releaseWholeBody();
                }
            });
        }
    }

    /** Whether body bytes (or at least the end of the body) are still to come after the headers. */
    private static boolean hasBodyFraming(HttpRequest request) {
        return request.headers().contains(HttpHeaderNames.CONTENT_LENGTH) || HttpUtil.isTransferEncodingChunked(request);
    }

    /**
     * The Content-Length, or -1 without one. Stricter than Netty's parser (RFC 9110 section 8.6): exactly one
     * value, decimal digits only, that fits a long; anything else (lists, signs, hex, overflow) is 400.
     */
    static long declaredLength(HttpRequest request) {
        java.util.List<String> values = request.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (values.isEmpty()) return -1;
        if (values.size() > 1) throw malformedLength("more than one Content-Length");
        return parseLength(values.getFirst().strip());
    }

    private static long parseLength(String value) {
        if (value.isEmpty() || value.length() > 19) throw malformedLength("malformed Content-Length");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') throw malformedLength("malformed Content-Length");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw malformedLength("Content-Length too large");
        }
    }

    private static RegistryException malformedLength(String message) {
        return new RegistryException(ErrorCode.SIZE_INVALID, message, null, 400);
    }

    private static RegistryException malformedChunkedBody() {
        return new RegistryException(ErrorCode.UNSUPPORTED, "malformed chunked transfer encoding", null, 400);
    }

    /** Event loop (via the write future): the response is on the wire. */
    private void exchangeComplete(Exchange exchange) {
        accessLog.log(exchange);
        audit.ifPresent(a -> a.record(exchange));
        if (exchange != current || !ctx.channel().isActive()) return;
        responseDone = true;
        if (!exchange.body().ended()) {
            // Answered early (an error): read and drop the rest of the body, so the client, which may still be
            // sending it, reads the answer instead of a reset connection; unless more is announced than we would
            // ever drain, then close now.
            exchange.body().discard();
            long announced = exchange.body().declaredLength();
            if (announced >= 0 && announced - exchange.body().received() > DRAIN_LIMIT) ctx.close();
            return;
        }
        exchange.body().discard(); // a body the route did not read (a GET's, say): its buffers go back now
        endExchange();
    }

    private void endExchange() {
        current = null;
        bodyPaused = false;
        timeouts.enter(RequestTimeouts.Phase.AWAITING_REQUEST);
        while (!pipelined.isEmpty() && (current == null || !current.body().ended())) {
            handle(pipelined.poll());
        }
        updateAutoRead();
        if (ctx.channel().config().isAutoRead()) ctx.read();
    }

    private void pauseBody(boolean pause) {
        if (ctx.executor().inEventLoop()) {
            bodyPaused = pause;
            // Storage being behind is not the client's silence: no body timeout while paused.
            if (current != null && !current.body().ended()) {
                timeouts.enter(pause ? RequestTimeouts.Phase.SERVING : RequestTimeouts.Phase.BODY);
            }
            updateAutoRead();
            if (!pause) ctx.read();
        } else {
            ctx.executor().execute(() -> pauseBody(pause));
        }
    }

    private void updateAutoRead() {
        boolean waitingForResponse = current != null && current.body().ended() && !pipelined.isEmpty();
        ctx.channel().config().setAutoRead(!bodyPaused && !waitingForResponse);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) current.body().fail(new ClosedChannelException());
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A peer that resets its connection is routine; anything else (out of direct memory, a bug) must be seen.
        if (!(cause instanceof java.io.IOException)) LOG.warn("connection closed after an unexpected error", cause);
        if (current != null) current.body().fail(cause);
        ctx.close();
    }

    private static RegistryException badRequest(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new RegistryException(ErrorCode.UNSUPPORTED, "request headers too large", null, 431);
        }
        if (cause instanceof TooLongHttpLineException) {
            return new RegistryException(ErrorCode.UNSUPPORTED, "request URI too long", null, 414);
        }
        if (cause instanceof TooLongFrameException) {
            return new RegistryException(ErrorCode.UNSUPPORTED, "request too large", null, 413);
        }
        return new RegistryException(ErrorCode.UNSUPPORTED, "malformed HTTP request", null, 400);
    }

    /** The User-Agent escaped for a log line. */
    static String userAgent(Exchange exchange) {
        return LogText.escape(exchange.header(HttpHeaderNames.USER_AGENT).orElse("-"), 256);
    }
}
