package dev.stowage.webhooks;

import dev.stowage.core.access.Cidr;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses webhook deliveries may reach. A project administrator chooses a webhook's target, and the registry
 * usually sits inside a network with services an outsider must not reach (the loopback interface, the cloud's
 * metadata service, databases on private addresses), so by default only public addresses are allowed: not loopback,
 * private, unique-local, shared (CGNAT), link-local (where the metadata services live), unspecified, multicast,
 * broadcast or reserved addresses, nor IPv6 forms that carry one of those IPv4 addresses (mapped, compatible, NAT64,
 * 6to4), nor Teredo addresses, whose embedded address is not checked. An administrator can allow networks anyway
 * ({@code webhooks.allowedNetworks}): a receiver on the company's own network, or tests on 127.0.0.1.
 *
 * <p>A name is resolved once per check, and every address it has must be allowed (so a name cannot offer one public
 * address for the check and an internal one for the connection); the caller then connects to the address that was
 * checked, never resolving the name again, which makes DNS rebinding between check and connect useless.
 */
public final class TargetAddressPolicy {
    /** How names become addresses: {@link InetAddress#getAllByName}, or a fixed answer in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Why a target was refused, in words a project administrator can act on. */
    public static final class RefusedTarget extends Exception {
        RefusedTarget(String message) {
            super(message, null, false, false);
        }
    }

    private record Range(Cidr network, String description) {
        static Range of(String cidr, String description) {
            return new Range(Cidr.parse(cidr), description);
        }
    }

    private static final String PRIVATE = "a private address";
    private static final String LINK_LOCAL = "a link-local address";
    private static final String MULTICAST = "a multicast address";
    private static final String UNSPECIFIED = "an unspecified address";
    private static final String LOOPBACK = "a loopback address";
    private static final String RESERVED = "a reserved or broadcast address";

    /** Checked in order; the IPv4-in-IPv6 forms are checked afterwards on the IPv4 address they carry. */
    private static final List<Range> REFUSED = List.of(
            Range.of("0.0.0.0/8", UNSPECIFIED),
            Range.of("10.0.0.0/8", PRIVATE),
            Range.of("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
            Range.of("127.0.0.0/8", LOOPBACK),
            Range.of("169.254.0.0/16", LINK_LOCAL),
            Range.of("172.16.0.0/12", PRIVATE),
            Range.of("192.0.0.0/24", "an IETF protocol address"),
            Range.of("192.168.0.0/16", PRIVATE),
            Range.of("198.18.0.0/15", "a benchmarking address"),
            Range.of("224.0.0.0/4", MULTICAST),
            Range.of("240.0.0.0/4", RESERVED),
            Range.of("::/128", UNSPECIFIED),
            Range.of("::1/128", LOOPBACK),
            Range.of("100::/64", "a discard address"),
            Range.of("2001::/32", "a Teredo address"),
            Range.of("fc00::/7", PRIVATE),
            Range.of("fe80::/10", LINK_LOCAL),
            Range.of("fec0::/10", "a site-local address"),
            Range.of("ff00::/8", MULTICAST),
            Range.of("64:ff9b:1::/48", "a local NAT64 address"));

    private final List<Cidr> allowed;
    private final Resolver resolver;

    public TargetAddressPolicy(List<Cidr> allowed, Resolver resolver) {
        this.allowed = List.copyOf(allowed);
        this.resolver = resolver;
    }

    /** What kind of address this is when webhooks may not reach it; empty when they may. */
    Optional<String> refusal(InetAddress address) {
        if (allowedByAdministrator(address)) return Optional.empty();
        for (Range r : REFUSED) if (r.network().contains(address)) return Optional.of(r.description());
        return embeddedIpv4(address).flatMap(v4 -> refusal(v4).map(d -> d + " (IPv4 in IPv6)"));
    }

    private boolean allowedByAdministrator(InetAddress address) {
        for (Cidr c : allowed) if (c.contains(address)) return true;
        return false;
    }

    /**
     * The IPv4 address an IPv6 address stands for: IPv4-mapped ({@code ::ffff:a.b.c.d}; the JDK usually turns those
     * into IPv4 already), IPv4-compatible ({@code ::a.b.c.d}), NAT64 ({@code 64:ff9b::/96}) and 6to4
     * ({@code 2002:AABB:CCDD::/48}). Each reaches the IPv4 address through the host's or the network's translation.
     */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) return Optional.empty();
        byte[] b = address.getAddress();
        byte[] v4 = null;
        if (allZero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            v4 = Arrays.copyOfRange(b, 12, 16);
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && allZero(b, 4, 12)) {
            v4 = Arrays.copyOfRange(b, 12, 16);
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = Arrays.copyOfRange(b, 2, 6);
        }
        if (v4 == null) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    /**
     * Resolves the URL's host (a bracketed IPv6 literal, an IPv4 literal or a name) once, checks every address it
     * has, and answers the one to connect to.
     *
     * @throws RefusedTarget        when an address is not allowed, saying which kind it is (not which address)
     * @throws UnknownHostException when the name does not resolve now
     */
    InetAddress resolveAllowed(String urlHost) throws RefusedTarget, UnknownHostException {
        if (isObscureNumericHost(urlHost)) {
            throw new RefusedTarget(urlHost + " is an IPv4 address in hexadecimal or octal form; write it as a.b.c.d");
        }
        boolean literal = isLiteral(urlHost);
        InetAddress[] addresses = resolver.resolve(unbracketed(urlHost));
        if (addresses.length == 0) throw new UnknownHostException(urlHost);
        for (InetAddress a : addresses) {
            Optional<String> refusal = refusal(a);
            if (refusal.isPresent()) {
                throw new RefusedTarget(urlHost + (literal ? " is " : " resolves to ") + refusal.get());
            }
        }
        return addresses[0];
    }

    /**
     * The check made when a webhook is created or changed: literal addresses and names that resolve now must be
     * allowed. A name that does not resolve yet is accepted (the receiver may not exist yet); every delivery checks
     * again anyway.
     */
    void checkTarget(String urlHost) throws RefusedTarget {
        try {
            resolveAllowed(urlHost);
        } catch (UnknownHostException e) {
            // checked again, and refused if need be, on every delivery
        }
    }

    /** An IP literal: the resolver answers it without a lookup. Decimal forms ({@code 2130706433}) count too. */
    static boolean isLiteral(String urlHost) {
        return urlHost.startsWith("[") || urlHost.matches("[0-9.]+");
    }

    /**
     * Hexadecimal or octal IPv4 forms ({@code 0x7f000001}, {@code 0177.0.0.1}): Java does not read them as addresses,
     * but the C resolver a name lookup may reach does (inet_aton), so what is checked and what is reached could differ.
     * No real host name looks like this.
     */
    static boolean isObscureNumericHost(String urlHost) {
        String host = urlHost.toLowerCase(java.util.Locale.ROOT);
        return host.matches("[0-9a-fx.]+") && host.matches("(.*\\.)?(0x[0-9a-f]*|0[0-9]+)(\\..*)?");
    }

    static String unbracketed(String urlHost) {
        return urlHost.startsWith("[") && urlHost.endsWith("]") ? urlHost.substring(1, urlHost.length() - 1) : urlHost;
    }
}
