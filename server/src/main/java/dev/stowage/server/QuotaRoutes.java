package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.Action;
import dev.stowage.core.governance.Quota;
import dev.stowage.core.governance.QuotaPolicy;
import dev.stowage.identity.AccountService;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static dev.stowage.server.ImmutabilityRoutes.governed;

/** A project's quota: project administrators see it and its usage; only system administrators set it. */
public final class QuotaRoutes implements AdminRouteSet {
    private static final String FIELD_NAMED = "Bad input (the message names the field)";
    private static final String[] QUOTA_FIELDS = {"storageBytes", "artifacts", "warningPercent"};

    private final AccountService accounts;
    private final QuotaPolicy quotas;

    public QuotaRoutes(AccountService accounts, QuotaPolicy quotas) {
        this.accounts = accounts;
        this.quotas = quotas;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/projects/{name}/quota", Access.project(Action.MANAGE_SYSTEM, "name"))
                .before(call -> accounts.project(call.variable("name")))
                .get(Access.project(Action.MANAGE_PROJECT, "name"), ApiDoc.op("getProjectQuota", "The project's quota "
                        + "and usage (project administrators): {storageBytes, artifacts, warningPercent, usage:{storageBytes, "
                        + "artifacts}}").tag("quotas").response(200, "OK").response(400, FIELD_NAMED), this::answer)
                .put(ApiDoc.op("putProjectQuota", "Replaces the quota (system administrators): {storageBytes, artifacts, "
                        + "warningPercent}, a limit not given or null being no limit; usage is what the project's artifacts "
                        + "hold (each distinct blob their manifests reference, and the manifests), so a push the quota refused "
                        + "adds nothing; pushes that would exceed it are refused with DENIED before anything is committed")
                        .tag("quotas").body("QuotaLimits").response(200, "OK").response(400, FIELD_NAMED), call -> {
                            // Replaces the quota: a limit not given is no limit.
                            JsonNode body = call.json(QUOTA_FIELDS);
                            quotas.setQuota(call.variable("name"), governed(() -> Quota.of(storageLimit(body).orElse(null),
                                    artifactLimit(body).orElse(null), warningPercent(body).orElse(null))));
                            answer(call);
                        })
                .patch(ApiDoc.op("patchProjectQuota", "Changes only the limits given (system administrators): "
                        + "{storageBytes?, artifacts?, warningPercent?}, null clearing one; the others stay").tag("quotas")
                        .body("QuotaLimits").response(200, "OK").response(400, FIELD_NAMED), call -> {
                            // Changes only the limits given (null clears one); the others stay.
                            JsonNode body = call.json(QUOTA_FIELDS);
                            governed(() -> quotas.updateQuota(call.variable("name"),
                                    body.has("storageBytes") ? Optional.of(storageLimit(body)) : Optional.empty(),
                                    body.has("artifacts") ? Optional.of(artifactLimit(body)) : Optional.empty(),
                                    body.has("warningPercent") ? Optional.of(warningPercent(body)) : Optional.empty()));
                            answer(call);
                        });
    }

    private void answer(AdminCall call) {
        String project = call.variable("name");
        call.sendJson(200, quota(quotas.quota(project), quotas.usage(project)));
    }

    /** {@code storageBytes}: a whole number of bytes or a size such as "10GiB" or "500MB"; null for no limit. */
    private static Optional<Long> storageLimit(JsonNode body) {
        JsonNode value = body.get("storageBytes");
        if (value != null && value.isTextual()) {
            try {
                return Optional.of(dev.stowage.core.ByteSizes.parse(value.textValue()));
            } catch (IllegalArgumentException e) {
                throw JsonFields.wrongType("storageBytes", "must be a number of bytes, a size such as \"10GiB\" or "
                        + "\"500MB\", or null: " + e.getMessage());
            }
        }
        return Optional.ofNullable(JsonFields.nullableLong(body, "storageBytes", 0, Long.MAX_VALUE));
    }

    private static Optional<Long> artifactLimit(JsonNode body) {
        return Optional.ofNullable(JsonFields.nullableLong(body, "artifacts", 0, Long.MAX_VALUE));
    }

    private static Optional<Integer> warningPercent(JsonNode body) {
        return Optional.ofNullable(JsonFields.nullableLong(body, "warningPercent", 1, 100)).map(Long::intValue);
    }

    private static Map<String, Object> quota(Quota quota, Quota.Usage usage) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("storageBytes", quota.storageLimitBytes().isPresent() ? quota.storageLimitBytes().getAsLong() : null);
        limits.put("artifacts", quota.artifactLimit().isPresent() ? quota.artifactLimit().getAsLong() : null);
        limits.put("warningPercent", quota.warningPercent().isPresent() ? quota.warningPercent().getAsInt() : null);
        Map<String, Object> out = new LinkedHashMap<>(limits);
        out.put("usage", Map.of("storageBytes", usage.storageBytes(), "artifacts", usage.artifacts()));
        return out;
    }
}
