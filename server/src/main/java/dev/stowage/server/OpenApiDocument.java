package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /api/v1/openapi.json}: {@code openapi-base.json} (the document's head, the shared schemas, and the token
 * and sign-in endpoints, which are not admin routes) with a path for every resource of the route table, made from
 * its template, access checks and {@link ApiDoc}s.
 */
final class OpenApiDocument {
    private static final String ERRORS = "#/components/schemas/Errors";

    private OpenApiDocument() {
    }

    static byte[] of(AdminRoutes routes) {
        ObjectNode document = base();
        ObjectNode schemas = (ObjectNode) document.path("components").path("schemas");
        routes.schemas().forEach((name, schema) -> {
            if (schemas.has(name)) throw new IllegalStateException("schema " + name + " is already in openapi-base.json");
            try {
                schemas.set(name, Exchange.JSON.readTree(schema));
            } catch (IOException e) {
                throw new IllegalStateException("schema " + name + " is not JSON", e);
            }
        });
        ObjectNode paths = (ObjectNode) document.get("paths");
        for (AdminRoutes.Resource resource : routes.resources()) {
            String path = resource.template.documented();
            ObjectNode item = paths.putObject(path);
            if (!resource.template.variables().isEmpty()) {
                ArrayNode parameters = item.putArray("parameters");
                for (String variable : resource.template.variables()) {
                    ObjectNode p = parameters.addObject();
                    p.put("name", variable);
                    p.put("in", "path");
                    p.put("required", true);
                    p.putObject("schema").put("type", "string");
                    String description = resource.variableDescriptions.get(variable);
                    if (description != null) p.put("description", description);
                }
            }
            for (AdminRoutes.Operation op : resource.operations.values()) {
                item.set(op.method().toLowerCase(), operation(op));
            }
        }
        try {
            return Exchange.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode operation(AdminRoutes.Operation op) {
        ApiDoc doc = op.doc();
        ObjectNode out = Exchange.JSON.createObjectNode();
        out.put("operationId", doc.operationId);
        out.put("summary", doc.summary);
        out.putArray("tags").add(doc.tag);
        if (op.access().scope() == Access.Scope.PUBLIC) out.putArray("security");
        if (!doc.query.isEmpty()) {
            ArrayNode parameters = out.putArray("parameters");
            for (ApiDoc.QueryParameter q : doc.query) {
                ObjectNode p = parameters.addObject();
                p.put("name", q.name());
                p.put("in", "query");
                p.put("required", false);
                q.description().ifPresent(d -> p.put("description", d));
                ObjectNode schema = p.putObject("schema");
                schema.put("type", q.type());
                q.minimum().ifPresent(m -> schema.put("minimum", m));
                q.maximum().ifPresent(m -> schema.put("maximum", m));
            }
        }
        doc.bodySchema.ifPresent(schema -> {
            ObjectNode body = out.putObject("requestBody");
            body.put("required", doc.bodyRequired);
            body.putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/" + schema);
        });
        Map<Integer, String> responses = new TreeMap<>();
        responses.put(400, "Bad input");
        String fresh = "Authentication required, or a fresh password sign-in is needed: this route mints or changes a credential";
        responses.put(401, op.access().freshWhenBodySets().map(field -> fresh + " (with a " + field + " in the body)")
                .orElse(op.access().mayNeedFreshProof() ? fresh : "Authentication required"));
        responses.put(403, "Not allowed");
        responses.putAll(doc.responses);
        ObjectNode answers = out.putObject("responses");
        responses.forEach((status, description) -> {
            ObjectNode r = answers.putObject(String.valueOf(status));
            r.put("description", description);
            if (status >= 400) r.putObject("content").putObject("application/json").putObject("schema").put("$ref", ERRORS);
        });
        return out;
    }

    private static ObjectNode base() {
        try (var in = OpenApiDocument.class.getResourceAsStream("openapi-base.json")) {
            if (in == null) throw new IllegalStateException("openapi-base.json missing from the server jar");
            JsonNode tree = Exchange.JSON.readTree(in);
            return (ObjectNode) tree;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
