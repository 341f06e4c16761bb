package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.inventory.SkippedPart;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Inventories as stored (gzip'd JSON) and as the API shows them. */
final class InventoryJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private InventoryJson() {
    }

    static ObjectNode packageNode(FoundPackage p) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", p.type().name().toLowerCase());
        n.put("name", p.name());
        n.put("version", p.version());
        if (!p.sourceName().equals(p.name())) n.put("sourceName", p.sourceName());
        if (!p.sourceVersion().equals(p.version())) n.put("sourceVersion", p.sourceVersion());
        n.put("purl", p.purl());
        n.put("layer", p.layer());
        n.put("path", p.path());
        return n;
    }

    static FoundPackage packageOf(JsonNode n) {
        return new FoundPackage(PackageType.valueOf(n.path("type").asText().toUpperCase()), n.path("name").asText(),
                n.path("version").asText(), n.path("sourceName").asText(null), n.path("sourceVersion").asText(null),
                n.path("purl").asText(), n.path("layer").asText(), n.path("path").asText());
    }

    static ObjectNode osNode(OperatingSystem os) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", os.id());
        n.put("versionId", os.versionId());
        n.put("prettyName", os.prettyName());
        return n;
    }

    static ObjectNode toJson(Inventory inventory) {
        ObjectNode root = MAPPER.createObjectNode();
        inventory.operatingSystem().ifPresent(os -> root.set("operatingSystem", osNode(os)));
        ArrayNode packages = root.putArray("packages");
        inventory.packages().forEach(p -> packages.add(packageNode(p)));
        ArrayNode skipped = root.putArray("skipped");
        inventory.skipped().forEach(s -> skipped.addObject().put("layer", s.layer()).put("path", s.path())
                .put("reason", s.reason()));
        return root;
    }

    static Inventory fromJson(JsonNode root) {
        Optional<OperatingSystem> os = root.has("operatingSystem")
                ? Optional.of(new OperatingSystem(root.path("operatingSystem").path("id").asText(),
                root.path("operatingSystem").path("versionId").asText(),
                root.path("operatingSystem").path("prettyName").asText()))
                : Optional.empty();
        List<FoundPackage> packages = new ArrayList<>();
        root.path("packages").forEach(p -> packages.add(packageOf(p)));
        List<SkippedPart> skipped = new ArrayList<>();
        root.path("skipped").forEach(s -> skipped.add(new SkippedPart(s.path("layer").asText(), s.path("path").asText(),
                s.path("reason").asText())));
        return new Inventory(os, packages, skipped);
    }

    static byte[] gzip(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            MAPPER.writeValue(gz, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static JsonNode gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored scan document does not read back", e);
        }
    }
}
