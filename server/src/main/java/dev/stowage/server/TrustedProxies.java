package dev.stowage.server;

import dev.stowage.core.access.Cidr;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Behind a load balancer or reverse proxy, who the client really is: the networks whose connections are trusted to say
 * so in {@code Forwarded} (RFC 7239) or else {@code X-Forwarded-For}/{@code -Proto}/{@code -Host}. The headers of any
 * other peer are ignored entirely (anyone can write them), and the address a trusted proxy names is taken only when it
 * is an address literal: anything malformed falls back to the TCP peer, never to an error.
 */
final class TrustedProxies {
    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d{1,5})?");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]{2,45})](?::\\d{1,5})?");
    private static final Pattern BARE_IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final List<Cidr> networks;

    private TrustedProxies(List<Cidr> networks) {
        this.networks = networks;
    }

    /** {@code cidrs}: CIDRs or single addresses, each entry possibly a comma-separated list; blanks are skipped. */
    static TrustedProxies of(List<String> cidrs) {
        return new TrustedProxies(cidrs.stream().flatMap(c -> Arrays.stream(c.split(",")))
                .map(String::strip).filter(c -> !c.isEmpty()).map(Cidr::parse).toList());
    }

    boolean isEmpty() {
        return networks.isEmpty();
    }

    boolean trusts(InetAddress address) {
        return address != null && networks.stream().anyMatch(n -> n.contains(address));
    }

    /**
     * Where a request really comes from. {@code peer} is the TCP peer, {@code tls} whether this connection is TLS;
     * without a trusted peer or usable headers, those are the answer.
     */
    RequestOrigin originOf(InetAddress peer, boolean tls, HttpHeaders headers) {
        RequestOrigin direct = new RequestOrigin(peer, tls, Optional.empty());
        if (!trusts(peer)) return direct;
        try {
            List<String> forwarded = headers.getAll("Forwarded");
            if (!forwarded.isEmpty()) return fromForwarded(String.join(",", forwarded), direct).orElse(direct);
            List<String> forwardedFor = headers.getAll("X-Forwarded-For");
            InetAddress client = peer;
            if (!forwardedFor.isEmpty()) {
                Optional<InetAddress> named = rightMostUntrusted(forwardedFor.stream()
                        .flatMap(v -> Arrays.stream(v.split(",", -1))).map(TrustedProxies::trimOws).toList());
                if (named.isEmpty()) return direct;
                client = named.get();
            }
            return new RequestOrigin(client,
                    nearestValue(headers.getAll("X-Forwarded-Proto")).flatMap(TrustedProxies::scheme).orElse(tls),
                    nearestValue(headers.getAll("X-Forwarded-Host")).filter(HostHeader::valid));
        } catch (RuntimeException e) {
            // A header too strange to read names no one: the peer is what we know for sure.
            return direct;
        }
    }

    /** The client from a Forwarded header: the right-most element whose {@code for} is no trusted proxy. */
    private Optional<RequestOrigin> fromForwarded(String header, RequestOrigin direct) {
        List<Map<String, String>> elements = parseForwarded(header);
        if (elements == null || elements.isEmpty()) return Optional.empty();
        Map<String, String> chosen = null;
        InetAddress client = null;
        for (int i = elements.size() - 1; i >= 0; i--) {
            String node = elements.get(i).get("for");
            if (node == null && i == elements.size() - 1) {
                // The nearest proxy said only how it was reached (proto, host): the client is then the peer itself.
                chosen = elements.get(i);
                client = direct.client();
                break;
            }
            if (node == null) return Optional.empty();
            Optional<InetAddress> address = literal(node);
            if (address.isEmpty()) return Optional.empty();
            chosen = elements.get(i);
            client = address.get();
            if (!trusts(client)) break;
        }
        Optional<Boolean> proto = Optional.ofNullable(chosen.get("proto")).flatMap(TrustedProxies::scheme);
        Optional<String> host = Optional.ofNullable(chosen.get("host")).filter(HostHeader::valid);
        return Optional.of(new RequestOrigin(client, proto.orElse(direct.secure()), host));
    }

    /**
     * RFC 7239 section 4: elements separated by commas, pairs by semicolons, each {@code token=value} with the value a
     * token or a quoted string. Null when the header does not follow that grammar.
     */
    static List<Map<String, String>> parseForwarded(String header) {
        List<Map<String, String>> elements = new ArrayList<>();
        Map<String, String> element = new LinkedHashMap<>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) i++;
            int nameStart = i;
            while (i < n && isTokenChar(header.charAt(i))) i++;
            if (i == nameStart || i >= n || header.charAt(i) != '=') return null;
            String name = header.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i++;
            String value;
            if (i < n && header.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                i++;
                while (i < n && header.charAt(i) != '"') {
                    if (header.charAt(i) == '\\' && i + 1 < n) i++;
                    quoted.append(header.charAt(i++));
                }
                if (i >= n) return null;
                i++;
                value = quoted.toString();
            } else {
                int valueStart = i;
                while (i < n && isTokenChar(header.charAt(i))) i++;
                if (i == valueStart) return null;
                value = header.substring(valueStart, i);
            }
            if (element.putIfAbsent(name, value) != null) return null;
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) i++;
            if (i < n && header.charAt(i) == ';') {
                i++;
            } else if (i < n && header.charAt(i) == ',') {
                elements.add(element);
                element = new LinkedHashMap<>();
                i++;
            } else if (i < n) {
                return null;
            }
        }
        if (element.isEmpty()) return null;
        elements.add(element);
        return elements;
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    /** X-Forwarded-For, read from the right: each proxy appends the address it received from. */
    private Optional<InetAddress> rightMostUntrusted(List<String> entries) {
        InetAddress last = null;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Optional<InetAddress> address = literal(entries.get(i));
            if (address.isEmpty()) return Optional.empty();
            last = address.get();
            if (!trusts(last)) return address;
        }
        return Optional.ofNullable(last);
    }

    /**
     * An IPv4 or IPv6 literal, optionally with a port ({@code 192.0.2.1:80}, {@code [2001:db8::1]:4711}); never a
     * name (nothing here may cause a DNS lookup), never {@code unknown} or an obfuscated {@code _identifier}.
     */
    static Optional<InetAddress> literal(String node) {
        String text;
        Matcher m;
        if ((m = IPV4.matcher(node)).matches()) {
            text = m.group(1);
            for (String octet : text.split("\\.")) if (Integer.parseInt(octet) > 255) return Optional.empty();
        } else if ((m = BRACKETED_IPV6.matcher(node)).matches() && m.group(1).indexOf(':') >= 0) {
            // The JDK would also take "[200]" for 0.0.0.200: an IPv6 literal has colons.
            text = m.group(1);
        } else if (BARE_IPV6.matcher(node).matches() && node.indexOf(':') >= 0) {
            text = node;
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text.contains(":") ? "[" + text + "]" : text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The right-most value of a list header, the one the nearest (trusted) proxy wrote, as X-Forwarded-For is read;
     * what the client wrote to the left is not believed.
     */
    private static Optional<String> nearestValue(List<String> headerLines) {
        if (headerLines.isEmpty()) return Optional.empty();
        String line = headerLines.getLast();
        String nearest = trimOws(line.substring(line.lastIndexOf(',') + 1));
        return nearest.isEmpty() ? Optional.empty() : Optional.of(nearest);
    }

    /** Without the optional white space (spaces and tabs, RFC 9110 section 5.6.3) around a list element; nothing else. */
    private static String trimOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) start++;
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) end--;
        return value.substring(start, end);
    }

    /** True for https, false for http; anything else says nothing. */
    private static Optional<Boolean> scheme(String proto) {
        return switch (trimOws(proto).toLowerCase(Locale.ROOT)) {
            case "https" -> Optional.of(true);
            case "http" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /**
     * The client as the registry should see it: its address (for allowlists, rate limits, the sign-in throttle and
     * the audit trail), whether it reached the registry over https, and the host it asked for when a proxy says so
     * (empty: the request's Host header), both for URLs the registry builds.
     */
    record RequestOrigin(InetAddress client, boolean secure, Optional<String> host) {}
}
