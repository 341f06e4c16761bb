package dev.stowage.scanning.external;

import java.util.List;
import java.util.Map;

/**
 * What an adapter says about itself ({@code GET /api/v1/metadata}).
 *
 * @param properties e.g. {@code harbor.scanner-adapter/vulnerability-database-updated-at}
 */
public record AdapterMetadata(String name, String vendor, String version, List<Capability> capabilities,
                              Map<String, String> properties) {
    public AdapterMetadata {
        capabilities = List.copyOf(capabilities);
        properties = Map.copyOf(properties);
    }

    /** One capability: the artifact types it consumes and the report types it produces for them. */
    public record Capability(List<String> consumesMimeTypes, List<String> producesMimeTypes) {
        public Capability {
            consumesMimeTypes = List.copyOf(consumesMimeTypes);
            producesMimeTypes = List.copyOf(producesMimeTypes);
        }
    }

    /** Whether it can scan an artifact of this media type into the vulnerability report (v1.1) Stowage reads. */
    public boolean canScan(String artifactMediaType) {
        return capabilities.stream().anyMatch(c ->
                c.consumesMimeTypes().stream().anyMatch(m -> HarborMediaTypes.same(m, artifactMediaType))
                        && c.producesMimeTypes().stream()
                        .anyMatch(m -> HarborMediaTypes.same(m, HarborMediaTypes.VULNERABILITY_REPORT)));
    }
}
