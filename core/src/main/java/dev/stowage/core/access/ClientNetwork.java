package dev.stowage.core.access;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What per-client limits (connection caps, request rates, sign-in throttles) count by: an IPv4 address as it is, an
 * IPv6 address by its /64 network. One host commonly holds a whole /64 to pick addresses from, so counting single
 * IPv6 addresses would let it rotate through fresh allowances: no limit at all.
 */
public final class ClientNetwork {
    private ClientNetwork() {}

    public static InetAddress of(InetAddress address) {
        if (!(address instanceof Inet6Address)) return address;
        byte[] bytes = address.getAddress();
        Arrays.fill(bytes, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 16 bytes
        }
    }
}
