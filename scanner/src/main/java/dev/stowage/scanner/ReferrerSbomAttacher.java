package dev.stowage.scanner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.service.BodySource;
import dev.stowage.core.service.RegistryService;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.sbom.ImageIdentity;
import dev.stowage.scanning.sbom.SbomFormat;
import dev.stowage.scanning.sbom.SbomWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Attaches an image's SBOMs (CycloneDX and SPDX) as OCI 1.1 referrers: for each format, the document as a blob and an
 * image manifest with that format as its artifactType, the empty config, and the image as its subject; so the referrers
 * API, {@code oras discover} and the ORAS SDK find them, and they follow their image through deletion and GC. A
 * repository that already has Stowage's SBOM of a format for the image gets no second one.
 */
public final class ReferrerSbomAttacher implements SbomAttacher {
    /** Marks the referrers Stowage made, so a re-scan does not add more and users can tell them from their own. */
    static final String GENERATOR_ANNOTATION = "dev.stowage.sbom.generator";
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private final RegistryService registry;
    private final SbomWriter writer;
    private final String registryAddress;
    private final List<SbomFormat> formats;
    private final Clock clock;

    public ReferrerSbomAttacher(RegistryService registry, SbomWriter writer, String registryAddress,
                                List<SbomFormat> formats, Clock clock) {
        this.registry = registry;
        this.writer = writer;
        this.registryAddress = registryAddress;
        this.formats = List.copyOf(formats);
        this.clock = clock;
    }

    @Override
    public void attach(RepositoryName repository, Digest manifest, String manifestMediaType, long manifestSize,
                       Inventory inventory) {
        for (SbomFormat format : formats) {
            boolean present = registry.referrers(repository, manifest, Optional.of(format.mediaType())).stream()
                    .anyMatch(d -> d.annotations().containsKey(GENERATOR_ANNOTATION));
            if (present) continue;
            Instant now = clock.instant();
            byte[] document = writer.write(format, inventory, new ImageIdentity(registryAddress, repository.value(),
                    manifest.toString(), Optional.empty()), now);
            Digest documentDigest = store(repository, document);
            Digest configDigest = store(repository, EMPTY_CONFIG);
            ObjectNode m = InventoryJson.MAPPER.createObjectNode();
            m.put("schemaVersion", 2);
            m.put("mediaType", MediaTypes.OCI_MANIFEST);
            m.put("artifactType", format.mediaType());
            m.putObject("config").put("mediaType", MediaTypes.OCI_EMPTY).put("digest", configDigest.toString())
                    .put("size", EMPTY_CONFIG.length).put("data", "e30=");
            ObjectNode layer = m.putArray("layers").addObject();
            layer.put("mediaType", format.mediaType()).put("digest", documentDigest.toString()).put("size", document.length);
            layer.putObject("annotations").put("org.opencontainers.image.title", fileName(format));
            m.putObject("subject").put("mediaType", manifestMediaType).put("digest", manifest.toString())
                    .put("size", manifestSize);
            m.putObject("annotations").put("org.opencontainers.image.created", now.toString())
                    .put(GENERATOR_ANNOTATION, "stowage");
            byte[] payload;
            try {
                payload = InventoryJson.MAPPER.writeValueAsBytes(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            registry.putManifest(repository, new Reference.ByDigest(Digest.sha256Of(payload)), MediaTypes.OCI_MANIFEST,
                    payload);
        }
    }

    static String fileName(SbomFormat format) {
        return format == SbomFormat.CYCLONEDX_JSON ? "sbom.cdx.json" : "sbom.spdx.json";
    }

    private Digest store(RepositoryName repository, byte[] content) {
        Digest digest = Digest.sha256Of(content);
        registry.uploadMonolithic(repository, digest, BodySource.of(content));
        return digest;
    }

    /** The descriptors of this image's referrers Stowage attached (what the SBOM download route serves). */
    static Optional<Descriptor> attached(RegistryService registry, RepositoryName repository, Digest manifest,
                                         SbomFormat format) {
        return registry.referrers(repository, manifest, Optional.of(format.mediaType())).stream()
                .filter(d -> d.annotations().containsKey(GENERATOR_ANNOTATION)).findFirst();
    }
}
