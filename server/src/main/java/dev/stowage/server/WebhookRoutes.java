package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Action;
import dev.stowage.identity.AccountService;
import dev.stowage.webhooks.WebhookService;

import java.util.Map;
import java.util.Optional;

/**
 * A project's webhooks (its administrators): subscriptions (the secret shown once), pings, and the delivery log.
 * Everything below {@code /webhooks} is refused to others before anything is looked up, unknown paths and methods
 * included (404 after the check), and every answer carries {@code Cache-Control: no-store}.
 */
public final class WebhookRoutes implements AdminRouteSet {
    /** The fields of a webhook subscription, on creation and on PATCH. */
    private static final String[] WEBHOOK_FIELDS = {"targetUrl", "events", "enabled"};
    private static final String NOT_FOUND = "No such webhook or delivery";
    private static final Map<String, Object> NO_STORE = Map.of("Cache-Control", "no-store");

    private final AccountService accounts;
    private final WebhookService hooks;

    public WebhookRoutes(AccountService accounts, WebhookService hooks) {
        this.accounts = accounts;
        this.hooks = hooks;
    }

    @Override
    public void declare(AdminRoutes routes) {
        Access manage = Access.project(Action.MANAGE_PROJECT, "name");
        AdminRoutes.Check projectExists = call -> accounts.project(call.variable("name"));
        routes.guard("/api/v1/projects/{name}/webhooks", manage, projectExists);
        routes.path("/api/v1/projects/{name}/webhooks", manage).before(projectExists).unknownMethodNotFound()
                .get(doc("getProjectWebhooks", "The project's webhooks", 200),
                        call -> answer(call, 200, hooks.list(project(call))))
                .post(doc("postProjectWebhooks", "Subscribes {targetUrl, events:[PUSH, PULL, DELETE, QUOTA_WARNING, "
                        + "QUOTA_EXCEEDED, RETENTION_COMPLETED, GC_COMPLETED], enabled}; answers {webhook, secret} (the HMAC "
                        + "secret, shown once). Deliveries are CloudEvents 1.0 JSON signed in X-Stowage-Signature-256: "
                        + "sha256=<hex HMAC-SHA256 of the body>", 201).body("WebhookSubscription"), call -> {
                            JsonNode body = call.json(WEBHOOK_FIELDS);
                            answer(call, 201, hooks.create(project(call), JsonFields.string(body, "targetUrl"),
                                    WebhookService.parseEvents(JsonFields.strings(body, "events")),
                                    JsonFields.bool(body, "enabled", true)));
                        });
        routes.path("/api/v1/projects/{name}/webhooks/{id}", manage).before(projectExists).unknownMethodNotFound()
                .get(doc("getProjectWebhook", "One webhook", 200), call -> answer(call, 200, hooks.get(project(call), id(call))))
                .patch(doc("patchProjectWebhook", "Changes {targetUrl, events, enabled}", 200).body("WebhookSubscription"),
                        call -> {
                            JsonNode body = call.json(WEBHOOK_FIELDS);
                            answer(call, 200, hooks.update(project(call), id(call), JsonFields.optionalString(body, "targetUrl"),
                                    body.has("events") ? Optional.of(WebhookService.parseEvents(JsonFields.strings(body, "events")))
                                            : Optional.empty(),
                                    JsonFields.optionalBool(body, "enabled")));
                        })
                .delete(doc("deleteProjectWebhook", "Unsubscribes", 204), call -> {
                    hooks.delete(project(call), id(call));
                    call.sendEmpty(204);
                });
        routes.path("/api/v1/projects/{name}/webhooks/{id}/rotate-secret", manage).before(projectExists)
                .unknownMethodNotFound()
                .post(doc("postProjectWebhookRotateSecret", "A new secret, shown once", 200),
                        call -> answer(call, 200, hooks.rotateSecret(project(call), id(call))));
        routes.path("/api/v1/projects/{name}/webhooks/{id}/ping", manage).before(projectExists).unknownMethodNotFound()
                .post(doc("postProjectWebhookPing", "Sends a ping event", 202),
                        call -> answer(call, 202, hooks.ping(project(call), id(call), call.actor())));
        routes.path("/api/v1/projects/{name}/webhooks/{id}/deliveries", manage).before(projectExists).unknownMethodNotFound()
                .get(doc("getProjectWebhookDeliveries", "The delivery log, newest first (?before=<id>&limit=)", 200), call -> {
                    int limit;
                    try {
                        limit = Integer.parseInt(call.query("limit").orElse("50"));
                    } catch (NumberFormatException e) {
                        throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "limit must be a number");
                    }
                    answer(call, 200, hooks.deliveries(project(call), id(call), call.query("before"), limit));
                });
        routes.path("/api/v1/projects/{name}/webhooks/{id}/deliveries/{delivery}", manage).before(projectExists)
                .unknownMethodNotFound()
                .get(doc("getProjectWebhookDelivery", "One delivery", 200),
                        call -> answer(call, 200, hooks.delivery(project(call), id(call), call.variable("delivery"))));
        routes.path("/api/v1/projects/{name}/webhooks/{id}/deliveries/{delivery}/attempts", manage).before(projectExists)
                .unknownMethodNotFound()
                .get(doc("getProjectWebhookDeliveryAttempts", "Its attempts: time, status code, error, duration", 200),
                        call -> answer(call, 200, hooks.attempts(project(call), id(call), call.variable("delivery"))));
        routes.path("/api/v1/projects/{name}/webhooks/{id}/deliveries/{delivery}/redeliver", manage).before(projectExists)
                .unknownMethodNotFound()
                .post(doc("postProjectWebhookDeliveryRedeliver", "Delivers it again as a new delivery", 202),
                        call -> answer(call, 202, hooks.redeliver(project(call), id(call), call.variable("delivery"))));
    }

    private static ApiDoc doc(String operationId, String summary, int status) {
        return ApiDoc.op(operationId, summary).tag("webhooks").response(status, "OK").response(404, NOT_FOUND);
    }

    private static String project(AdminCall call) {
        return call.variable("name");
    }

    private static String id(AdminCall call) {
        return call.variable("id");
    }

    private static void answer(AdminCall call, int status, Object value) {
        call.sendJson(status, NO_STORE, value);
    }
}
