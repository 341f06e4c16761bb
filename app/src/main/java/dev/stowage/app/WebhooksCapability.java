package dev.stowage.app;

import dev.stowage.metadata.JdbcWebhookStore;
import dev.stowage.server.WebhookRoutes;
import dev.stowage.webhooks.WebhookDispatcher;
import dev.stowage.webhooks.WebhookService;

/**
 * Webhooks: the dispatcher hears every registry event and delivers the matching ones; project administrators manage
 * subscriptions through the admin API. Settings: {@code webhooks:}. Verb {@code webhooks} in {@link AdminCommand}.
 */
final class WebhooksCapability implements Capability {
    private WebhookService webhooks;

    @Override
    public String name() {
        return "webhooks";
    }

    @Override
    public void prepare(Node node, Contributions out) {
        JdbcWebhookStore store = new JdbcWebhookStore(node.metadata(), node.sealer());
        WebhookDispatcher dispatcher = new WebhookDispatcher(store, node.config().webhookSettings(), node.clock());
        webhooks = new WebhookService(store, dispatcher, node.clock());
        out.listener(dispatcher);
        out.onClose(dispatcher);
    }

    @Override
    public void start(Node node, Contributions out) {
        out.adminRoutes(new WebhookRoutes(node.accounts(), webhooks));
    }
}
