package dev.stowage.scanning.sbom;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What both SBOM formats share: one canonical order of the packages, and identifiers derived from the content, so the
 * same inventory of the same image gives byte-identical documents (and so one referrer blob, whoever writes it).
 */
final class SbomContent {
    private static final Comparator<FoundPackage> CANONICAL_ORDER = Comparator
            .comparing(FoundPackage::purl)
            .thenComparing(FoundPackage::layer)
            .thenComparing(FoundPackage::path)
            .thenComparing(p -> p.type().name())
            .thenComparing(FoundPackage::name)
            .thenComparing(FoundPackage::version)
            .thenComparing(FoundPackage::sourceName)
            .thenComparing(FoundPackage::sourceVersion);

    private SbomContent() {
    }

    /** The packages sorted, exact duplicates (same package, same file) listed once. */
    static List<FoundPackage> packages(Inventory inventory) {
        return inventory.packages().stream().distinct().sorted(CANONICAL_ORDER).toList();
    }

    /** 16 hex digits naming one package record (same package found at two paths: two ids). */
    static String packageId(FoundPackage pkg) {
        return sha256(String.join("\u0000", pkg.type().name(), pkg.name(), pkg.version(), pkg.sourceName(),
                pkg.sourceVersion(), pkg.purl(), pkg.layer(), pkg.path())).substring(0, 16);
    }

    /**
     * A UUID that changes whenever anything in the document would: the format, the image, the time, the tool, the
     * operating system and every package. Distinct documents get distinct ids; the same document keeps its id.
     */
    static UUID documentUuid(SbomFormat format, Inventory inventory, ImageIdentity image, Instant created,
                             String toolVersion) {
        StringBuilder text = new StringBuilder()
                .append(format.name()).append('\n')
                .append(image.reference()).append('\n')
                .append(image.tag().orElse("")).append('\n')
                .append(created).append('\n')
                .append(toolVersion).append('\n')
                .append(inventory.operatingSystem().map(Object::toString).orElse("")).append('\n');
        for (FoundPackage pkg : packages(inventory)) text.append(packageId(pkg)).append('\n');
        return UUID.nameUUIDFromBytes(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
