package dev.stowage.server;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** What the per-address connection cap counts by. */
class ConnectionLimiterTest {
    @Test
    void ipv6AddressesOfOneSlash64CountAsOneClient() throws Exception {
        assertThat(ConnectionLimiter.addressKey(InetAddress.getByName("2001:db8:1:2::1")))
                .isEqualTo(ConnectionLimiter.addressKey(InetAddress.getByName("2001:db8:1:2:ffff:1234:5678:9abc")));
    }

    @Test
    void differentSlash64sAreDifferentClients() throws Exception {
        assertThat(ConnectionLimiter.addressKey(InetAddress.getByName("2001:db8:1:2::1")))
                .isNotEqualTo(ConnectionLimiter.addressKey(InetAddress.getByName("2001:db8:1:3::1")));
    }

    @Test
    void ipv4AddressesAreCountedOneByOne() throws Exception {
        assertThat(ConnectionLimiter.addressKey(InetAddress.getByName("192.0.2.1")))
                .isNotEqualTo(ConnectionLimiter.addressKey(InetAddress.getByName("192.0.2.2")));
    }
}
