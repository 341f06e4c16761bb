package dev.stowage.scanning.sbom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * SPDX 2.3 JSON, written field by field with Jackson (see {@link SbomWriter} for why no SPDX library). The image is the
 * described package ({@code DESCRIBES}), and it {@code CONTAINS} the operating system and every package; each package
 * carries its purl as a {@code PACKAGE-MANAGER} external reference and the layer and path it was found at in
 * {@code sourceInfo}. No files are analysed, so {@code filesAnalyzed} is false and no verification code is needed.
 */
final class SpdxDocument {
    static final String DOCUMENT_ID = "SPDXRef-DOCUMENT";
    static final String IMAGE_ID = "SPDXRef-Image";
    private static final String NOASSERTION = "NOASSERTION";
    private static final Pattern NOT_ID_CHARACTER = Pattern.compile("[^A-Za-z0-9.-]+");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SpdxDocument() {
    }

    static byte[] write(Inventory inventory, ImageIdentity image, Instant created, String toolVersion) {
        ObjectNode document = JSON.createObjectNode();
        document.put("spdxVersion", "SPDX-2.3");
        document.put("dataLicense", "CC0-1.0");
        document.put("SPDXID", DOCUMENT_ID);
        document.put("name", image.reference());
        document.put("documentNamespace", namespace(inventory, image, created, toolVersion));
        ObjectNode creationInfo = document.putObject("creationInfo");
        creationInfo.put("created", DateTimeFormatter.ISO_INSTANT.format(created.truncatedTo(ChronoUnit.SECONDS)));
        creationInfo.putArray("creators").add("Tool: " + SbomWriter.TOOL_NAME + "-" + toolVersion);

        ArrayNode packages = document.putArray("packages");
        ArrayNode relationships = JSON.createArrayNode();
        relationships.add(relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID));

        ObjectNode imagePackage = packages.addObject();
        imagePackage.put("name", image.repository());
        imagePackage.put("SPDXID", IMAGE_ID);
        imagePackage.put("versionInfo", image.manifestDigest());
        imagePackage.put("downloadLocation", NOASSERTION);
        imagePackage.put("filesAnalyzed", false);
        ObjectNode digest = imagePackage.putArray("checksums").addObject();
        int colon = image.manifestDigest().indexOf(':');
        digest.put("algorithm", image.manifestDigest().substring(0, colon).toUpperCase(java.util.Locale.ROOT));
        digest.put("checksumValue", image.manifestDigest().substring(colon + 1));
        purlReference(imagePackage, image.purl());
        imagePackage.put("primaryPackagePurpose", "CONTAINER");

        inventory.operatingSystem().ifPresent(os -> {
            String id = operatingSystemId(os);
            ObjectNode osPackage = packages.addObject();
            osPackage.put("name", os.id());
            osPackage.put("SPDXID", id);
            if (!os.versionId().isEmpty()) osPackage.put("versionInfo", os.versionId());
            osPackage.put("downloadLocation", NOASSERTION);
            osPackage.put("filesAnalyzed", false);
            if (os.prettyName() != null && !os.prettyName().isBlank()) osPackage.put("description", os.prettyName());
            osPackage.put("primaryPackagePurpose", "OPERATING_SYSTEM");
            relationships.add(relationship(IMAGE_ID, "CONTAINS", id));
        });

        for (FoundPackage pkg : SbomContent.packages(inventory)) {
            String id = packageId(pkg);
            ObjectNode node = packages.addObject();
            node.put("name", pkg.name());
            node.put("SPDXID", id);
            node.put("versionInfo", pkg.version());
            node.put("downloadLocation", NOASSERTION);
            node.put("filesAnalyzed", false);
            node.put("sourceInfo", "found by " + SbomWriter.TOOL_NAME + " in layer " + pkg.layer() + " at " + pkg.path()
                    + (pkg.sourceName().equals(pkg.name()) && pkg.sourceVersion().equals(pkg.version()) ? ""
                    : "; built from source package " + pkg.sourceName() + " " + pkg.sourceVersion()));
            purlReference(node, pkg.purl());
            node.put("primaryPackagePurpose", "LIBRARY");
            relationships.add(relationship(IMAGE_ID, "CONTAINS", id));
        }
        document.set("relationships", relationships);
        try {
            return JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SPDX document for " + image.reference() + " could not be written", e);
        }
    }

    /**
     * Unique per document (SPDX 2.3 clause 6.5) and stable for the same document: the registry and repository it
     * describes, then a UUID derived from the whole content.
     */
    private static String namespace(Inventory inventory, ImageIdentity image, Instant created, String toolVersion) {
        return "https://" + image.registry() + "/spdx/" + image.repository() + "/"
                + image.manifestDigest().replace(':', '-') + "/"
                + SbomContent.documentUuid(SbomFormat.SPDX_JSON, inventory, image, created, toolVersion);
    }

    /** {@code SPDXRef-Package-<type>-<name>-<id>}: readable, and unique through the id of the package record. */
    static String packageId(FoundPackage pkg) {
        return "SPDXRef-Package-" + pkg.type().purlType() + "-" + idText(pkg.name()) + "-" + SbomContent.packageId(pkg);
    }

    private static String operatingSystemId(OperatingSystem os) {
        return "SPDXRef-OperatingSystem-" + idText(os.id()) + (os.versionId().isEmpty() ? "" : "-" + idText(os.versionId()));
    }

    private static String idText(String text) {
        String cleaned = NOT_ID_CHARACTER.matcher(text).replaceAll("-");
        return cleaned.isEmpty() ? "x" : cleaned;
    }

    private static void purlReference(ObjectNode pkg, String purl) {
        ObjectNode reference = pkg.putArray("externalRefs").addObject();
        reference.put("referenceCategory", "PACKAGE-MANAGER");
        reference.put("referenceType", "purl");
        reference.put("referenceLocator", purl);
    }

    private static ObjectNode relationship(String from, String type, String to) {
        ObjectNode relationship = JSON.createObjectNode();
        relationship.put("spdxElementId", from);
        relationship.put("relationshipType", type);
        relationship.put("relatedSpdxElement", to);
        return relationship;
    }
}
