package dev.stowage.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trusted proxy's Forwarded / X-Forwarded-* headers are network text too: whatever they hold, reading them answers
 * an origin (never an exception, which would be a 500), whose client is the peer or an address the headers name, and
 * whose host, if any, is a valid {@code host[:port]}. Regression inputs live under
 * {@code src/test/resources/dev/stowage/server/ForwardedHeadersFuzzTestInputs/}.
 */
class ForwardedHeadersFuzzTest {
    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("127.0.0.0/8,10.0.0.0/8,::1/128"));

    @FuzzTest(maxDuration = "60s")
    void originOf(byte[] input) throws Exception {
        // Lines: Forwarded, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host (a missing line: no header).
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        String[] names = {"Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"};
        HttpHeaders headers = new DefaultHttpHeaders(false);
        for (int i = 0; i < Math.min(lines.length, names.length); i++) {
            if (!lines[i].isEmpty()) headers.add(names[i], lines[i]);
        }
        InetAddress peer = InetAddress.getByName("127.0.0.1");
        TrustedProxies.RequestOrigin origin = PROXIES.originOf(peer, false, headers);
        assertThat(origin.client()).isNotNull();
        if (!origin.client().equals(peer)) {
            // Not the peer: then an address written in the headers.
            String text = String.join(",", headers.getAll("Forwarded")) + "," + String.join(",", headers.getAll("X-Forwarded-For"));
            assertThat(java.util.Arrays.stream(text.replace("\\", "").split("[,;=\"\\s]+")).map(TrustedProxies::literal)
                    .flatMap(java.util.Optional::stream)).contains(origin.client());
        }
        origin.host().ifPresent(host -> assertThat(HostHeader.valid(host)).isTrue());
    }
}
