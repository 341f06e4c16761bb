package dev.stowage.server;

import dev.stowage.core.audit.AuditEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Client-controlled text in audit events (scopes, admin paths, User-Agent) cannot carry control characters. */
class HttpAuditTextTest {
    static AuditEvent eventFor(HttpMethod method, String uri, String userAgent) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        if (userAgent != null) request.headers().set("User-Agent", userAgent);
        Exchange exchange = new Exchange(new EmbeddedChannel(), request, new RequestBody(-1, pause -> { }), e -> { });
        return HttpAudit.eventFor(exchange).orElseThrow();
    }

    static boolean printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void tokenScopesWithControlCharactersAreEscaped() {
        AuditEvent e = eventFor(HttpMethod.POST, "/token?scope=repository:a/b:pull%0Aforged%1B%5B2J", "docker");
        assertThat(e.reference()).isEqualTo("repository:a/b:pull\\x0aforged\\x1b[2J");
    }

    @Test
    void adminPathsWithControlCharactersAreEscaped() {
        AuditEvent e = eventFor(HttpMethod.DELETE, "/api/v1/users/x%0D%0Aevil", "docker");
        assertThat(printable(e.detail())).as(e.detail()).isTrue();
        assertThat(e.detail()).contains("/api/v1/users/x\\x0d\\x0aevil");
    }

    @Test
    void theUserAgentIsEscapedAndBounded() {
        // Netty refuses control characters in header values; C1 controls (0x9b is CSI) and tabs get through.
        AuditEvent e = eventFor(HttpMethod.POST, "/token", "agent\u009b2J\t" + "a".repeat(2000));
        assertThat(printable(e.userAgent())).isTrue();
        assertThat(e.userAgent()).startsWith("agent\\x9b2J\\x09aaa").hasSizeLessThanOrEqualTo(515);
    }
}
