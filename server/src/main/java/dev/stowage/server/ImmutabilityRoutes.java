package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Action;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.governance.ImmutableTagRule;
import dev.stowage.core.governance.PolicyException;
import dev.stowage.core.governance.TagMutability;
import dev.stowage.core.spi.GovernanceStore;
import dev.stowage.identity.AccountService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Immutable-tag rules per project (Harbor's form) and tag mutability per repository (ECR's form). */
public final class ImmutabilityRoutes implements AdminRouteSet {
    private static final String FIELD_NAMED = "Bad input (the message names the field)";

    private final AccountService accounts;
    private final ImmutableTagPolicy immutability;

    public ImmutabilityRoutes(AccountService accounts, ImmutableTagPolicy immutability) {
        this.accounts = accounts;
        this.immutability = immutability;
    }

    @Override
    public void declare(AdminRoutes routes) {
        routes.path("/api/v1/projects/{name}/immutable-rules", Access.project(Action.MANAGE_PROJECT, "name"))
                .before(call -> accounts.project(call.variable("name")))
                .get(ApiDoc.op("getProjectImmutableRules", "The project's immutable-tag rules").tag("immutable tags")
                        .response(200, "OK").response(400, FIELD_NAMED), call -> call.sendJson(200,
                        immutability.rules(call.variable("name")).stream().map(ImmutabilityRoutes::immutableRule).toList()))
                .post(ApiDoc.op("postProjectImmutableRules", "Adds a Harbor-style rule: {scope_selectors:{repository:[{kind:"
                        + "doublestar,decoration:repoMatches|repoExcludes,pattern}]}, tag_selectors:[{kind:doublestar,"
                        + "decoration:matches|excludes,pattern}], disabled}").tag("immutable tags").body("PolicyDocument")
                        .response(201, "Created").response(400, FIELD_NAMED), call -> {
                            GovernanceStore.StoredRule rule = governed(() ->
                                    immutability.addRule(call.variable("name"), call.jsonDocument()));
                            call.sendJson(201, Map.of("Location", call.path() + "/" + rule.id()), immutableRule(rule));
                        });
        routes.path("/api/v1/projects/{name}/immutable-rules/{id:[0-9]{1,18}}", Access.project(Action.MANAGE_PROJECT, "name"))
                .put(ApiDoc.op("putProjectImmutableRule", "Replaces the rule").tag("immutable tags").body("PolicyDocument")
                        .response(200, "OK").response(400, FIELD_NAMED).response(404, "No such rule"), call -> {
                            String project = call.variable("name");
                            long id = Long.parseLong(call.variable("id"));
                            call.sendJson(200, immutableRule(governed(() -> immutability.replaceRule(project, id,
                                    call.jsonDocument())).orElseThrow(() -> noRule(project, id))));
                        })
                .delete(ApiDoc.op("deleteProjectImmutableRule", "Deletes the rule").tag("immutable tags")
                        .response(204, "Deleted").response(400, FIELD_NAMED).response(404, "No such rule"), call -> {
                            String project = call.variable("name");
                            long id = Long.parseLong(call.variable("id"));
                            if (!immutability.deleteRule(project, id)) throw noRule(project, id);
                            call.sendEmpty(204);
                        });
        routes.path("/api/v1/repositories/{repository:.+}/tag-mutability",
                        Access.repository(Action.MANAGE_PROJECT, "repository"))
                .get(ApiDoc.op("getRepositoryTagMutability", "The repository's ECR-style tag mutability")
                        .tag("immutable tags").response(200, "OK").response(400, FIELD_NAMED),
                        call -> call.sendJson(200, mutability(immutability.mutability(call.repository("repository")))))
                .put(ApiDoc.op("putRepositoryTagMutability", "Sets it: {imageTagMutability: MUTABLE|IMMUTABLE|"
                        + "IMMUTABLE_WITH_EXCLUSION|MUTABLE_WITH_EXCLUSION, imageTagMutabilityExclusionFilters:[{filterType:"
                        + "WILDCARD, filter}]}").tag("immutable tags").body("PolicyDocument").response(200, "OK")
                        .response(400, FIELD_NAMED), call -> call.sendJson(200, mutability(governed(() ->
                        immutability.setMutability(call.repository("repository"), call.jsonDocument())))))
                .delete(ApiDoc.op("deleteRepositoryTagMutability", "Back to mutable").tag("immutable tags")
                        .response(200, "OK").response(400, FIELD_NAMED), call -> call.sendJson(200,
                        mutability(immutability.setMutability(call.repository("repository"), null))));
    }

    private static RegistryException noRule(String project, long id) {
        return new RegistryException(ErrorCode.NOT_FOUND, "no rule " + id + " in " + project);
    }

    /** A governance setting's validation error names the field: 400 with that message. */
    static <T> T governed(Supplier<T> change) {
        try {
            return change.get();
        } catch (PolicyException e) {
            throw AdminCall.badInput(e.getMessage());
        }
    }

    private static Map<String, Object> immutableRule(GovernanceStore.StoredRule stored) {
        ImmutableTagRule rule = ImmutableTagRule.parse(stored.id(), stored.json());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", stored.id());
        out.put("disabled", rule.disabled());
        out.put("description", rule.describe());
        try {
            out.put("rule", Exchange.JSON.readTree(stored.json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Map<String, Object> mutability(TagMutability setting) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("imageTagMutability", setting.mode().name());
        out.put("imageTagMutabilityExclusionFilters", setting.exclusionFilters().stream()
                .map(g -> Map.of("filterType", "WILDCARD", "filter", g.pattern())).toList());
        return out;
    }
}
