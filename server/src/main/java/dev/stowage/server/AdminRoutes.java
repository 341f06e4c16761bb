package dev.stowage.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API's route table. A capability declares its routes here (through its {@link AdminRouteSet}): a
 * resource is a path template with the access check that applies to it (and to methods it does not answer, which
 * get 405 after that check), and each of its operations is a method with its OpenAPI description and handler,
 * and its own access check where it needs more than the resource's. For example:
 * <pre>{@code
 * routes.path("/api/v1/projects/{name}/quota", Access.project(Action.MANAGE_SYSTEM, "name"))
 *       .before(call -> accounts.project(call.variable("name")))
 *       .get(Access.project(Action.MANAGE_PROJECT, "name"), ApiDoc.op("getProjectQuota", "..."), this::quota)
 *       .put(ApiDoc.op("putProjectQuota", "...").body("QuotaLimits"), this::replaceQuota);
 * }</pre>
 */
public final class AdminRoutes {
    /** Answers one request whose access check passed. */
    @FunctionalInterface
    public interface Handler {
        void handle(AdminCall call);
    }

    /** A check that runs after the access check and before the method is looked at (e.g. the project must exist). */
    @FunctionalInterface
    public interface Check {
        void check(AdminCall call);
    }

    /** One method of a resource. */
    record Operation(String method, Access access, ApiDoc doc, Handler handler) {}

    /** Paths below a prefix that no route answers: refused like the capability's routes, then 404. */
    record Guard(RouteTemplate template, Access access, Check before) {}

    /** What a path resolved to: a resource or a guard, with the path's variables. */
    record Match(Optional<Resource> resource, Optional<Guard> guard, Map<String, String> variables) {}

    private final List<Resource> resources = new ArrayList<>();
    private final List<Guard> guards = new ArrayList<>();
    private final Map<String, String> schemas = new LinkedHashMap<>();
    private final Set<String> operationIds = new HashSet<>();
    private List<Resource> bySpecificity = List.of();

    AdminRoutes() {
    }

    /**
     * A JSON schema of {@code components/schemas} that the capability's routes name in {@link ApiDoc#body}, declared
     * beside them (the shared schemas are in {@code openapi-base.json}).
     */
    public void schema(String name, String jsonSchema) {
        if (schemas.putIfAbsent(name, jsonSchema) != null) throw new IllegalStateException("schema " + name + " is declared twice");
    }

    Map<String, String> schemas() {
        return schemas;
    }

    /** A resource at {@code template}; {@code access} decides its methods that declare none, and unknown methods. */
    public Resource path(String template, Access access) {
        Resource resource = new Resource(RouteTemplate.parse(template), access);
        for (Resource r : resources) {
            if (r.template.documented().equals(resource.template.documented())) {
                throw new IllegalStateException("route " + template + " is declared twice");
            }
        }
        resources.add(resource);
        bySpecificity = resources.stream()
                .sorted(Comparator.comparingInt((Resource r) -> -r.template.literalSegments())).toList();
        return resource;
    }

    /**
     * Paths at or below {@code prefix} that no resource matches are checked with {@code access} and {@code before}
     * and then answered 404, so a caller without access learns nothing of what lies below.
     */
    public void guard(String prefix, Access access, Check before) {
        guards.add(new Guard(RouteTemplate.parse(prefix, true), access, before));
    }

    /** The most specific resource whose template matches, else a guard whose prefix does. */
    Optional<Match> find(String path) {
        for (Resource r : bySpecificity) {
            Optional<Map<String, String>> values = r.template.match(path);
            if (values.isPresent()) return Optional.of(new Match(Optional.of(r), Optional.empty(), values.get()));
        }
        for (Guard g : guards) {
            Optional<Map<String, String>> values = g.template().match(path);
            if (values.isPresent()) return Optional.of(new Match(Optional.empty(), Optional.of(g), values.get()));
        }
        return Optional.empty();
    }

    List<Resource> resources() {
        return List.copyOf(resources);
    }

    /** One path template and its methods. */
    public final class Resource {
        final RouteTemplate template;
        final Access access;
        final Map<String, Operation> operations = new LinkedHashMap<>();
        final Map<String, String> variableDescriptions = new LinkedHashMap<>();
        Check before = call -> { };
        boolean answersHead;
        boolean unknownMethodNotFound;

        private Resource(RouteTemplate template, Access access) {
            this.template = template;
            this.access = access;
        }

        /** Runs after the access check, before the method is looked at: its failure answers every method. */
        public Resource before(Check check) {
            this.before = check;
            return this;
        }

        /** The description of a path variable in the OpenAPI document. */
        public Resource describe(String variable, String description) {
            if (!template.variables().contains(variable)) {
                throw new IllegalArgumentException(template + " has no variable " + variable);
            }
            variableDescriptions.put(variable, description);
            return this;
        }

        /** A method this resource does not answer is 404 "no such endpoint" rather than 405. */
        public Resource unknownMethodNotFound() {
            this.unknownMethodNotFound = true;
            return this;
        }

        public Resource get(ApiDoc doc, Handler handler) { return on("GET", access, doc, handler); }

        public Resource get(Access access, ApiDoc doc, Handler handler) { return on("GET", access, doc, handler); }

        /** GET, and HEAD answered by the same handler. */
        public Resource getAndHead(ApiDoc doc, Handler handler) {
            answersHead = true;
            return on("GET", access, doc, handler);
        }

        public Resource post(ApiDoc doc, Handler handler) { return on("POST", access, doc, handler); }

        public Resource post(Access access, ApiDoc doc, Handler handler) { return on("POST", access, doc, handler); }

        public Resource put(ApiDoc doc, Handler handler) { return on("PUT", access, doc, handler); }

        public Resource put(Access access, ApiDoc doc, Handler handler) { return on("PUT", access, doc, handler); }

        public Resource patch(ApiDoc doc, Handler handler) { return on("PATCH", access, doc, handler); }

        public Resource patch(Access access, ApiDoc doc, Handler handler) { return on("PATCH", access, doc, handler); }

        public Resource delete(ApiDoc doc, Handler handler) { return on("DELETE", access, doc, handler); }

        public Resource delete(Access access, ApiDoc doc, Handler handler) { return on("DELETE", access, doc, handler); }

        private Resource on(String method, Access access, ApiDoc doc, Handler handler) {
            if (doc == null || handler == null || access == null) {
                throw new IllegalArgumentException(method + " " + template + " needs an access check, a description and a handler");
            }
            if (operations.containsKey(method)) throw new IllegalStateException(method + " " + template + " is declared twice");
            if (!operationIds.add(doc.operationId)) {
                throw new IllegalStateException("operationId " + doc.operationId + " is used twice");
            }
            for (String variable : access.variable().stream().toList()) {
                if (!template.variables().contains(variable)) {
                    throw new IllegalArgumentException(method + " " + template + ": its access names no variable " + variable);
                }
            }
            operations.put(method, new Operation(method, access, doc, handler));
            return this;
        }

        /** The operation answering {@code method}, if any. */
        Optional<Operation> operation(String method) {
            if (method.equals("HEAD") && answersHead) return Optional.ofNullable(operations.get("GET"));
            return Optional.ofNullable(operations.get(method));
        }
    }
}
