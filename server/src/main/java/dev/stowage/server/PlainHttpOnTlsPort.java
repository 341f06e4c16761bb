package dev.stowage.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The TLS port's answer to a client that speaks plain HTTP to it (an {@code http://} URL, a client told the registry
 * is insecure): 400 saying to use https, instead of a handshake failure that reads as a dropped connection. The first
 * bytes decide ({@link OptionalSslHandler}): a TLS record goes to TLS as before; anything else is decoded as HTTP by the
 * pipeline's codec (under the same timeouts and connection caps) and answered here, then the connection is closed.
 */
final class PlainHttpOnTlsPort extends ChannelInboundHandlerAdapter {
    /** A request target worth repeating in the hint: an absolute path of visible ASCII, nothing to escape. */
    private static final Pattern SAFE_PATH = Pattern.compile("/[\\x21-\\x7e]{0,2047}");

    /** Detects TLS or plain HTTP on a connection's first bytes, with the TLS context current at the time. */
    static ChannelHandler detector(SslContext context) {
        return new OptionalSslHandler(context) {
            @Override
            protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
                ctx.pipeline().remove("continue");
                ctx.pipeline().replace("registry", "plain-http-on-tls-port", new PlainHttpOnTlsPort());
                return null;
            }
        };
    }

    private boolean answered;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof HttpRequest request) || answered) return;
            answered = true;
            String host = request.headers().get(HttpHeaderNames.HOST);
            if (host == null || !HostHeader.valid(host)) host = localAuthority(ctx);
            String path = SAFE_PATH.matcher(request.uri()).matches() ? request.uri() : "/";
            ByteBuf body = Unpooled.copiedBuffer("this port speaks HTTPS; use https://" + host + path + "\n",
                    StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static String localAuthority(ChannelHandlerContext ctx) {
        if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
            String ip = local.getAddress().getHostAddress();
            int scope = ip.indexOf('%');
            if (scope >= 0) ip = ip.substring(0, scope);
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + local.getPort();
        }
        return "localhost";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
