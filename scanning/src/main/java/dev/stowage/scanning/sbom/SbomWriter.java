package dev.stowage.scanning.sbom;

import dev.stowage.scanning.inventory.Inventory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Writes an image's {@link Inventory} as an SBOM document: CycloneDX 1.6 JSON (through the CycloneDX project's own
 * library) or SPDX 2.3 JSON (through Jackson: no small, maintained SPDX 2.3 writer exists for Java; the SPDX tools
 * library pulls in an RDF stack). Both carry, per package, its purl and the layer digest and path it was found at.
 * <p>
 * Output is deterministic: the same inventory, image, time and tool version give the same bytes (the document's
 * serial number / namespace UUID is derived from that content).
 */
public final class SbomWriter {
    /** The tool named in every document's creation information. */
    public static final String TOOL_NAME = "stowage";

    private final String toolVersion;

    /** @param toolVersion Stowage's version, e.g. {@code 0.1.0} */
    public SbomWriter(String toolVersion) {
        this.toolVersion = Objects.requireNonNull(toolVersion, "toolVersion");
        if (toolVersion.isBlank()) throw new IllegalArgumentException("toolVersion must not be empty");
    }

    /**
     * The document in the given format, UTF-8 JSON.
     *
     * @param created when the document is created (stored with second precision)
     */
    public byte[] write(SbomFormat format, Inventory inventory, ImageIdentity image, Instant created) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(image, "image");
        Instant time = created.truncatedTo(ChronoUnit.SECONDS);
        return switch (format) {
            case CYCLONEDX_JSON -> CycloneDxDocument.write(inventory, image, time, toolVersion);
            case SPDX_JSON -> SpdxDocument.write(inventory, image, time, toolVersion);
        };
    }
}
