package dev.stowage.server;

import dev.stowage.core.access.Principal;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditTrail;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.time.Instant;
import java.util.Optional;

/**
 * Turns finished exchanges into audit events: pulls (manifest GET), pushes (manifest PUT), deletes, sign-ins and
 * token issues, admin changes, and every refused (401/403) request. Uploads, HEADs and listings are not audited
 * on their own: the push or pull they belong to is.
 */
final class HttpAudit {
    private final AuditTrail trail;

    HttpAudit(AuditTrail trail) {
        this.trail = trail;
    }

    void record(Exchange exchange) {
        eventFor(exchange).ifPresent(trail::record);
    }

    /**
     * The client's User-Agent, escaped (audit lines are read on terminals and by SIEMs) and bounded: it is stored
     * with every event and a client may send 16 KiB of it.
     */
    private static String agent(Exchange exchange) {
        return exchange.header(HttpHeaderNames.USER_AGENT).map(a -> LogText.escape(a, 512)).orElse("");
    }

    static Optional<AuditEvent> eventFor(Exchange exchange) {
        String path;
        try {
            path = exchange.path();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String method = exchange.method().name();
        int status = exchange.status();
        boolean refused = status == 401 || status == 403;
        String action = null;
        String repository = "";
        String reference = "";
        String detail = exchange.failureNote() == null ? "" : exchange.failureNote();
        if (path.equals("/token")) {
            action = exchange.header(HttpHeaderNames.AUTHORIZATION).isPresent() || method.equals("POST") ? "sign-in" : "token";
            reference = LogText.escape(String.join(" ", exchange.queryAll("scope")), 1024);
        } else if (path.equals(SignInApi.CALLBACK)) {
            action = "sign-in";
            detail = "oidc" + (detail.isEmpty() ? "" : " " + detail);
        } else if (path.equals(SignInApi.LOGIN)) {
            return Optional.empty();
        } else if (path.startsWith("/api/v1/")) {
            // 429: the credentials were not even tried (too many failed sign-ins); a refusal all the same
            String[] routeSays = exchange.auditAs();
            if (refused || status == 429) {
                action = "denied";
            } else if (routeSays != null) {
                action = routeSays[0];
                reference = routeSays[1];
                detail = routeSays[2] + (detail.isEmpty() ? "" : " " + detail);
            } else if (!method.equals("GET")) {
                action = "admin";
            }
            if (routeSays == null || refused || status == 429) {
                detail = method + " " + LogText.escape(path, 1024) + (detail.isEmpty() ? "" : " " + detail);
            }
        } else {
            try {
                Route route = Route.resolve(path);
                repository = route.repository().map(Object::toString).orElse("");
                reference = route.argument();
                if (refused) {
                    action = "denied";
                    detail = method + " " + route.endpoint().name().toLowerCase() + (detail.isEmpty() ? "" : " " + detail);
                } else if (route.endpoint() == Route.Endpoint.MANIFEST) {
                    action = switch (method) {
                        case "GET" -> "pull";
                        case "PUT" -> "push";
                        case "DELETE" -> "delete";
                        default -> null;
                    };
                } else if (route.endpoint() == Route.Endpoint.BLOB && method.equals("DELETE")) {
                    action = "delete";
                }
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        if (action == null) return Optional.empty();
        return Optional.of(new AuditEvent(Instant.now(), exchange.actor(), exchange.clientAddress(),
                agent(exchange), action, repository, reference, status, detail, exchange.manifestDigest()));
    }
}
