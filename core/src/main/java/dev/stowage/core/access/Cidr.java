package dev.stowage.core.access;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address). */
public record Cidr(byte[] network, int prefix) {

    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP network: " + text);
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress(); // literal only (checked above): no DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP network: " + text, e);
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) throw new IllegalArgumentException("bad prefix length: " + text);
        return new Cidr(bytes, prefix);
    }

    /** Whether any of the comma-separated networks contains {@code address} (a literal IP); an empty list allows all. */
    public static boolean anyContains(String networks, String address) {
        if (networks == null || networks.isBlank()) return true;
        InetAddress parsed;
        try {
            if (!address.matches("[0-9a-fA-F:.%]+")) return false;
            parsed = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return false;
        }
        for (String n : networks.split(",")) if (!n.isBlank() && parse(n).contains(parsed)) return true;
        return false;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) if (candidate[i] != network[i]) return false;
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (candidate[full] & mask) == (network[full] & mask);
    }
}
