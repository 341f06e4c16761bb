package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Action;
import dev.stowage.core.service.RetentionRunner;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.identity.AccountService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.stowage.server.ImmutabilityRoutes.governed;

/** A project's retention policy (ECR lifecycle or Harbor retain rules), and running it now. */
public final class RetentionRoutes implements AdminRouteSet {
    private static final String FIELD_NAMED = "Bad input (the message names the field)";
    private static final String NO_POLICY = "The project has no retention policy";

    private final AccountService accounts;
    private final RetentionRunner retention;

    public RetentionRoutes(AccountService accounts, RetentionRunner retention) {
        this.accounts = accounts;
        this.retention = retention;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/projects/{name}/retention", Access.project(Action.MANAGE_PROJECT, "name"))
                .before(call -> accounts.project(call.variable("name")))
                .get(ApiDoc.op("getProjectRetention", "The project's retention policy").tag("retention").response(200, "OK")
                        .response(400, FIELD_NAMED).response(404, NO_POLICY), call -> call.sendJson(200,
                        retentionPolicy(retention.policy(call.variable("name")).orElseThrow(() -> noPolicy(call)))))
                .put(ApiDoc.op("putProjectRetention", "Sets it: {format: ecr|harbor, policy: <ECR lifecycle policy JSON "
                        + "verbatim, or Harbor retain rules>, schedule: optional cron}").tag("retention")
                        .body("RetentionPolicyRequest").response(200, "OK").response(400, FIELD_NAMED), call -> {
                            // The policy document's own fields are checked by its format's parser (Harbor or ECR).
                            JsonNode body = call.json("format", "policy", "schedule");
                            JsonNode policy = JsonFields.object(body, "policy");
                            String schedule = JsonFields.optionalString(body, "schedule").orElse(null);
                            String format = JsonFields.optionalString(body, "format").orElse("");
                            call.sendJson(200, retentionPolicy(governed(() -> retention.setPolicy(call.variable("name"),
                                    format, policy.toString(), schedule))));
                        })
                .delete(ApiDoc.op("deleteProjectRetention", "Removes it").tag("retention").response(204, "Deleted")
                        .response(400, FIELD_NAMED).response(404, NO_POLICY), call -> {
                            if (!retention.deletePolicy(call.variable("name"))) throw noPolicy(call);
                            call.sendEmpty(204);
                        });
        routes.path("/api/v1/projects/{name}/retention/run", Access.project(Action.MANAGE_PROJECT, "name"))
                .post(ApiDoc.op("postProjectRetentionRun", "Runs the policy now; {dryRun:true} lists what would go. Answers "
                        + "removed and kept images with the rule that decided each").tag("retention")
                        .optionalBody("RetentionRun").response(200, "OK").response(400, FIELD_NAMED)
                        .response(404, NO_POLICY), call -> {
                            boolean dryRun = JsonFields.bool(call.jsonOrEmpty("dryRun"), "dryRun", false);
                            call.sendJson(200, retention.run(call.variable("name"), dryRun).orElseThrow(() -> noPolicy(call)));
                        });
    }

    private static RegistryException noPolicy(AdminCall call) {
        return new RegistryException(ErrorCode.NOT_FOUND, "project " + call.variable("name") + " has no retention policy");
    }

    private static Map<String, Object> retentionPolicy(GovernanceStore.StoredRetention stored) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", stored.format());
        try {
            out.put("policy", Exchange.JSON.readTree(stored.policy()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.put("schedule", stored.schedule());
        return out;
    }
}
