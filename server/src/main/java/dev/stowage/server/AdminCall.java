package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Principal;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One admin request as its handler sees it, after the route's access check passed: the path variables, the query,
 * the body (read at most once, bounded, JSON through {@link JsonFields}) and the answer. A handler answers through
 * exactly one of the {@code send} methods or throws a {@link RegistryException}.
 */
public final class AdminCall {
    private static final int MAX_BODY = 64 * 1024;
    /** Page sizes of the content listings: {@code n} defaults to 100 and is capped at 1000. */
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    private final Exchange exchange;
    private final Map<String, String> variables;
    private final AccessController access;
    private byte[] body;

    AdminCall(Exchange exchange, Map<String, String> variables, AccessController access) {
        this.exchange = exchange;
        this.variables = Map.copyOf(variables);
        this.access = access;
    }

    /**
     * Whether this request's caller may do {@code action} on {@code repository}: the access controller asked again with
     * the request's own credentials, for routes that touch several repositories named in their body (an admission
     * review's images). A refusal is an answer here, not an error of the request.
     */
    public boolean allows(Action action, RepositoryName repository) {
        try {
            access.authorize(new AccessRequest(exchange.header(HttpHeaderNames.AUTHORIZATION), exchange.clientAddress(),
                    action, Optional.of(repository), Optional.of(repository.project()), Optional.empty(), exchange.host(),
                    exchange.secure()));
            return true;
        } catch (RegistryException e) {
            if (e.httpStatus() == 401 || e.httpStatus() == 403) return false;
            throw e; // 429, 503: the request cannot be answered now, which is not a refusal of this repository
        }
    }

    /**
     * Records this request in the audit trail as {@code action} with {@code detail} (escaped and bounded here) instead
     * of the generic "admin" line, for routes whose outcome is the point (an admission review allowed or denied).
     */
    public void audit(String action, String reference, String detail) {
        exchange.auditAs(action, LogText.escape(reference, 512), LogText.escape(detail, 4096));
    }

    /**
     * The raw body, at most {@code limit} bytes (larger: 413 before it is read), for routes whose documents are bigger
     * than the admin API's settings and parsed by their domain (an AdmissionReview carries a whole workload object).
     */
    public byte[] body(int limit) {
        if (body == null) {
            try {
                body = exchange.body().readFully(limit, () -> {
                    throw new RegistryException(ErrorCode.SIZE_INVALID, "request body too large (at most " + limit
                            + " bytes)", null, 413);
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return body;
    }

    /** The value of a path variable of the route's template. */
    public String variable(String name) {
        String value = variables.get(name);
        if (value == null) throw new IllegalArgumentException("the route has no variable " + name);
        return value;
    }

    /** A path variable that names a repository (NAME_INVALID when it is not a valid name). */
    public RepositoryName repository(String variable) {
        return RepositoryName.of(variable(variable));
    }

    /**
     * The manifest the path's {@code {repository}} and {@code {reference}} (a tag or a digest) name, read without the
     * pull policies (admin routes show and act on what a policy refuses to serve); MANIFEST_UNKNOWN when there is none.
     */
    public dev.stowage.core.spi.ManifestRecord artifact(dev.stowage.core.spi.MetadataStore metadata) {
        RepositoryName repository = repository("repository");
        String named = variable("reference");
        Optional<dev.stowage.core.spi.ManifestRecord> found = switch (dev.stowage.core.Reference.parse(named)) {
            case dev.stowage.core.Reference.ByTag t -> metadata.findManifestByTag(repository, t.tag());
            case dev.stowage.core.Reference.ByDigest d -> metadata.findManifest(repository, d.digest());
        };
        return found.orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "no artifact " + named + " in "
                + repository, Map.of("reference", named)));
    }

    public String method() { return exchange.method().name(); }

    public String path() { return exchange.path(); }

    public Optional<String> query(String name) { return exchange.query(name); }

    /** {@code ?name=true|false}, false when absent; anything else is a 400 naming the parameter. */
    public boolean flag(String name) {
        return switch (exchange.query(name).orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, name + " must be true or false", null, 400);
        };
    }

    /** {@code ?n=}: the page size, 1 to 1000 (larger asks get 1000), 100 when absent. */
    public int pageSize() {
        Optional<String> n = exchange.query("n");
        if (n.isEmpty()) return DEFAULT_PAGE;
        try {
            int value = Integer.parseInt(n.get());
            if (value >= 1) return Math.min(value, MAX_PAGE);
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a whole number from 1 to " + MAX_PAGE,
                Map.of("n", n.get()), 400);
    }

    /** Who the access check let through. */
    public Principal principal() { return exchange.principal(); }

    /** The signed-in user who made the request, for the events it causes; null for robots and anonymous callers. */
    public String actor() {
        return exchange.principal() instanceof Principal.User u ? u.username() : null;
    }

    /** The signed-in user the access controller let through (every MANAGE_OWN_ACCOUNT caller is one). */
    public String caller() {
        if (exchange.principal() instanceof Principal.User user) return user.username();
        throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied", null, 403);
    }

    /**
     * The JSON object in the body, with only the {@code accepted} fields: every route that reads a body names its
     * fields here, so an unknown or misspelled one is a 400 naming it rather than silently ignored.
     */
    public JsonNode json(String... accepted) {
        return JsonFields.parseObject(bodyBytes(), false, accepted);
    }

    /** As {@link #json}, an empty body being an empty object (for routes whose fields are all optional). */
    public JsonNode jsonOrEmpty(String... accepted) {
        return JsonFields.parseObject(bodyBytes(), true, accepted);
    }

    /** The body as text, checked to be a JSON object (its fields are the domain's to judge). */
    public String jsonDocument() {
        try {
            return Exchange.JSON.writeValueAsString(JsonFields.parseDocument(bodyBytes(), false));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw JsonFields.notAnObject();
        }
    }

    private byte[] bodyBytes() {
        if (body == null) {
            try {
                body = exchange.body().readFully(MAX_BODY, () -> {
                    throw new RegistryException(ErrorCode.SIZE_INVALID, "request body too large", null, 413);
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return body;
    }

    public void sendJson(int status, Map<String, Object> headers, Object value) {
        exchange.sendJson(status, headers, value);
    }

    public void sendJson(int status, Object value) {
        exchange.sendJson(status, Map.of(), value);
    }

    public void sendEmpty(int status) {
        exchange.sendEmpty(status, Map.of());
    }

    public void sendBytes(int status, String contentType, byte[] content) {
        exchange.sendBytes(status, Map.of(), contentType, content);
    }

    /**
     * A page of a listing: {@code {<key>: [...], "next": last-of-page}} with a Link header to the next page, as the
     * distribution API's catalog pages ({@code ?n=&last=}); no {@code next} on the last page.
     */
    public void sendPage(String key, List<Map<String, Object>> items, Optional<String> next, Map<String, Object> before) {
        Map<String, Object> answer = new LinkedHashMap<>(before);
        answer.put(key, items);
        Map<String, Object> headers = new LinkedHashMap<>();
        next.ifPresent(last -> {
            answer.put("next", last);
            headers.put("Link", "<" + exchange.path() + "?n=" + pageSize() + "&last="
                    + java.net.URLEncoder.encode(last, java.nio.charset.StandardCharsets.UTF_8) + ">; rel=\"next\"");
        });
        exchange.sendJson(200, headers, answer);
    }

    /** A setting's validation error of the domain, as a 400 with its message. */
    public static RegistryException badInput(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400);
    }

    Exchange exchange() { return exchange; }
}
