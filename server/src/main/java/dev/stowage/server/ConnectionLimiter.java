package dev.stowage.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps open connections, in total and per client address, so that connections that send nothing cannot use up
 * the process's file descriptors. Decided when a connection is set up, on its event loop, with two counters: a
 * connection past a cap gets a fixed 503 (Retry-After, the JSON error body) and is closed, without an HTTP codec
 * or anything else allocated for it (under TLS it is closed at once, before a handshake is paid for).
 */
final class ConnectionLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    /** How long a refused connection may take to read the 503 before it is closed regardless. */
    private static final long REFUSAL_LINGER_MILLIS = 2000;
    private static final byte[] REFUSAL = refusal();

    private final int maxTotal;
    private final int maxPerAddress;
    private final boolean tls;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    /** With {@code tls}, a refused connection is closed at once: a plain-text 503 would mean nothing to a TLS client. */
    ConnectionLimiter(int maxTotal, int maxPerAddress, boolean tls) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.tls = tls;
    }

    /**
     * The total cap when none is configured: what the file-descriptor limit leaves after a reserve for storage,
     * the database and the JVM (a tenth of the limit, at least 256).
     */
    static int fromFileDescriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long fds = unix.getMaxFileDescriptorCount();
            if (fds > 0) return (int) Math.min(Integer.MAX_VALUE, Math.max(64, fds - Math.max(256, fds / 10)));
        }
        return 10_000;
    }

    int maxTotal() {
        return maxTotal;
    }

    int open() {
        return open.get();
    }

    /**
     * Called as the connection is set up: answers true and counts it (uncounted when it closes) if it is within
     * the caps; otherwise sets it up to be answered 503 and closed, and answers false.
     */
    boolean admit(SocketChannel channel) {
        InetAddress address = channel.remoteAddress() == null ? null : addressKey(channel.remoteAddress().getAddress());
        if (open.incrementAndGet() > maxTotal) {
            open.decrementAndGet();
            refuse(channel, "connections in total");
            return false;
        }
        AtomicInteger fromAddress = null;
        if (maxPerAddress > 0 && address != null) {
            fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
            if (fromAddress.incrementAndGet() > maxPerAddress) {
                release(address, fromAddress);
                open.decrementAndGet();
                refuse(channel, "connections from " + address.getHostAddress()
                        + (address instanceof java.net.Inet6Address ? "/64" : ""));
                return false;
            }
        }
        AtomicInteger counted = fromAddress;
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (counted != null) release(address, counted);
        });
        return true;
    }

    /** What the per-address cap counts by (an IPv6 client by its /64). */
    static InetAddress addressKey(InetAddress address) {
        return dev.stowage.core.access.ClientNetwork.of(address);
    }

    private void release(InetAddress address, AtomicInteger count) {
        if (count.decrementAndGet() <= 0) perAddress.remove(address, count);
        // A count removed while another connection from the address incremented it is recreated by computeIfAbsent;
        // the straggler decrements an orphan, which at worst lets that address briefly open one more.
    }

    private void refuse(SocketChannel channel, String cap) {
        long n = refused.incrementAndGet();
        if (n == 1 || n % 1000 == 0) LOG.warn("refusing connections: too many {} ({} refused so far)", cap, n);
        if (tls) {
            channel.close();
        } else {
            channel.pipeline().addLast("refuse", new Refusal());
        }
    }

    /**
     * Writes the 503 as soon as the connection is up, then closes its sending side and drops whatever the client
     * sends until it closes (or a moment passes), so that the client reads the answer rather than a reset.
     */
    private static final class Refusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ByteBuf answer = Unpooled.wrappedBuffer(REFUSAL);
            ctx.writeAndFlush(answer).addListener((ChannelFutureListener) f -> {
                if (f.channel() instanceof SocketChannel socket && f.isSuccess()) {
                    socket.shutdownOutput();
                } else {
                    f.channel().close();
                }
            });
            ctx.executor().schedule(() -> ctx.close(), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) ctx.close();
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static byte[] refusal() {
        byte[] body = ("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"too many connections; retry later\"}]}")
                .getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 503 Service Unavailable\r\n"
                + "Retry-After: 1\r\n"
                + "Docker-Distribution-API-Version: registry/2.0\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }
}
