package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.AccessRequest;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.List;
import java.util.Optional;

/**
 * The admin REST API under {@code /api/v1}: the route table the capabilities declared ({@link AdminRouteSet}),
 * and the OpenAPI document generated from it. For each request: the most specific matching route, its access check
 * (the same access controller as the registry routes, through {@link Exchange#authorize}) before anything else, the
 * route's own precondition, then the method's handler; 405 for a method the route does not answer, 404 for a path
 * no route matches.
 */
final class AdminApi {
    private final AccessController access;
    private final AdminRoutes routes = new AdminRoutes();
    /** The OpenAPI document of this API: the table's routes and the shared schemas. */
    private final byte[] openApi;

    AdminApi(AccessController access, List<AdminRouteSet> routeSets) {
        this.access = access;
        routes.path("/api/v1/openapi.json", Access.anyone())
                .getAndHead(ApiDoc.op("getOpenapiJson", "This document").tag("meta").response(200, "OK"),
                        call -> call.sendBytes(200, "application/json", openApi()));
        for (AdminRouteSet set : routeSets) set.declare(routes);
        this.openApi = OpenApiDocument.of(routes);
    }

    private byte[] openApi() {
        return openApi;
    }

    void handle(Exchange exchange) {
        AdminRoutes.Match match = routes.find(exchange.path())
                .orElseThrow(() -> new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint"));
        AdminCall call = new AdminCall(exchange, match.variables(), access);
        if (match.guard().isPresent()) {
            authorize(call, match.guard().get().access());
            match.guard().get().before().check(call);
            throw new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint");
        }
        AdminRoutes.Resource resource = match.resource().orElseThrow();
        Optional<AdminRoutes.Operation> operation = resource.operation(exchange.method().name());
        authorize(call, operation.map(AdminRoutes.Operation::access).orElse(resource.access));
        resource.before.check(call);
        if (operation.isEmpty()) {
            if (resource.unknownMethodNotFound) throw new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint");
            throw new RegistryException(ErrorCode.UNSUPPORTED, "method not allowed", null, 405);
        }
        operation.get().handler().handle(call);
    }

    /** The route's access check, the one way every admin route is decided. */
    private void authorize(AdminCall call, Access required) {
        if (required.scope() == Access.Scope.PUBLIC) return;
        if (required.freshWhenBodySets().isPresent()) {
            // The body says whether the request changes a credential, so it is read before the (single: a TOTP code
            // works once) check; a malformed one is refused only after the check without a fresh proof passed.
            JsonNode body;
            try {
                body = call.json(required.bodyFields().toArray(String[]::new));
            } catch (RegistryException e) {
                authorize(call, required, false);
                throw e;
            }
            authorize(call, required, body.has(required.freshWhenBodySets().get()));
            return;
        }
        authorize(call, required, required.proof() == Access.Proof.FRESH);
    }

    private void authorize(AdminCall call, Access required, boolean changesCredentials) {
        String project = switch (required.scope()) {
            case PROJECT -> call.variable(required.variable().orElseThrow());
            case REPOSITORY -> call.repository(required.variable().orElseThrow()).project();
            default -> null;
        };
        String account = required.scope() == Access.Scope.ACCOUNT ? call.variable(required.variable().orElseThrow()) : null;
        Exchange exchange = call.exchange();
        exchange.authorize(access, new AccessRequest(exchange.header(HttpHeaderNames.AUTHORIZATION),
                exchange.clientAddress(), required.action(), Optional.empty(), Optional.ofNullable(project),
                Optional.ofNullable(account), exchange.host(), exchange.secure(), changesCredentials));
    }
}
