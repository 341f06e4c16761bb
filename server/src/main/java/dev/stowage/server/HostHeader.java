package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Host header, checked once as a request is decoded: the token realm of {@code WWW-Authenticate} challenges and
 * redirect locations are built from it, so it must be a plain {@code host[:port]} and nothing else (a {@code "} in it
 * once closed the realm and added challenge parameters of the sender's choice). RFC 9112 section 3.2: an HTTP/1.1
 * request without Host or with more than one is 400.
 */
final class HostHeader {
    /**
     * A DNS name or IPv4 address (letters, digits, dot, hyphen and underscore: RFC 3986's reg-name without its
     * percent-encoding and sub-delimiters, which no registry host needs), or a bracketed IPv6 literal; then an
     * optional port.
     */
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9._-]{1,253}|\\[([0-9A-Fa-f:.]{2,45})])(?::([0-9]{1,5}))?");

    private HostHeader() {}

    /**
     * Refuses a missing, repeated or malformed Host with 400. An HTTP/1.0 request may come without one: it is given
     * the listening address, so that everything built from Host names this server.
     */
    static void check(HttpRequest request, SocketAddress local) {
        List<String> values = request.headers().getAll(HttpHeaderNames.HOST);
        if (values.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            if (local instanceof InetSocketAddress address) request.headers().set(HttpHeaderNames.HOST, authority(address));
            return;
        }
        if (values.size() != 1) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "an HTTP/1.1 request needs exactly one Host header", null, 400);
        }
        if (!valid(values.getFirst())) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the Host header must be host[:port]", null, 400);
        }
    }

    static boolean valid(String host) {
        Matcher m = HOST.matcher(host);
        if (!m.matches()) return false;
        if (m.group(3) != null && Integer.parseInt(m.group(3)) > 65535) return false;
        if (m.group(2) != null) {
            try {
                // A bracketed literal is parsed, never looked up; a malformed one throws.
                InetAddress.getByName("[" + m.group(2) + "]");
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return true;
    }

    /** {@code 127.0.0.1:5000} or {@code [::1]:5000} (without an IPv6 scope, which has no place in a URL). */
    private static String authority(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        int scope = ip.indexOf('%');
        if (scope >= 0) ip = ip.substring(0, scope);
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
