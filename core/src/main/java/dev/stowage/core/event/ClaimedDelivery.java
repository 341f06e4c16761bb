package dev.stowage.core.event;

/** A due delivery this node has claimed, with the webhook it goes to as that webhook is now. */
public record ClaimedDelivery(WebhookDelivery delivery, Webhook webhook) {}
