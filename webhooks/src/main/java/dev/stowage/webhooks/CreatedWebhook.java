package dev.stowage.webhooks;

/** A webhook just created, or whose secret was just replaced: the only time its secret is shown. */
public record CreatedWebhook(WebhookInfo webhook, String secret) {
    @Override
    public String toString() {
        return "CreatedWebhook[webhook=" + webhook + "]";
    }
}
