package dev.stowage.scanning.sbom;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;
import dev.stowage.scanning.inventory.PackageType;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * CycloneDX 1.6: the image is {@code metadata.component} (type container, {@code pkg:oci} purl), the operating
 * system a component of type operating-system, each package a library with its purl and {@code stowage:layer} /
 * {@code stowage:path} properties. Dependencies say what the image holds: the image depends on the operating system and
 * on every language package, the operating system on its own packages.
 */
final class CycloneDxDocument {
    static final String LAYER_PROPERTY = "stowage:layer";
    static final String PATH_PROPERTY = "stowage:path";
    static final String PACKAGE_TYPE_PROPERTY = "stowage:package-type";
    static final String SOURCE_NAME_PROPERTY = "stowage:source-name";
    static final String SOURCE_VERSION_PROPERTY = "stowage:source-version";

    private CycloneDxDocument() {
    }

    static byte[] write(Inventory inventory, ImageIdentity image, Instant created, String toolVersion) {
        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:"
                + SbomContent.documentUuid(SbomFormat.CYCLONEDX_JSON, inventory, image, created, toolVersion));
        bom.setVersion(1);

        Component imageComponent = imageComponent(image);
        Metadata metadata = new Metadata();
        metadata.setTimestamp(Date.from(created));
        metadata.setToolChoice(tools(toolVersion));
        metadata.setComponent(imageComponent);
        bom.setMetadata(metadata);

        List<Component> components = new ArrayList<>();
        // Built as plain lists: Dependency.addDependency scans what it holds for duplicates, quadratic in the packages,
        // and every bom-ref here is unique already (purl plus a package id).
        Dependency imageDependencies = new Dependency(imageComponent.getBomRef());
        List<Dependency> onImage = new ArrayList<>();
        List<Dependency> onOs = new ArrayList<>();
        Optional<Dependency> osDependencies = inventory.operatingSystem().map(os -> {
            Component osComponent = operatingSystemComponent(os);
            components.add(osComponent);
            onImage.add(new Dependency(osComponent.getBomRef()));
            return new Dependency(osComponent.getBomRef());
        });
        for (FoundPackage pkg : SbomContent.packages(inventory)) {
            Component component = packageComponent(pkg);
            components.add(component);
            (pkg.type().operatingSystemPackage() && osDependencies.isPresent() ? onOs : onImage)
                    .add(new Dependency(component.getBomRef()));
        }
        imageDependencies.setDependencies(onImage);
        osDependencies.ifPresent(d -> d.setDependencies(onOs));
        bom.setComponents(components);
        List<Dependency> dependencies = new ArrayList<>();
        dependencies.add(imageDependencies);
        osDependencies.ifPresent(dependencies::add);
        bom.setDependencies(dependencies);

        try {
            return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString()
                    .getBytes(StandardCharsets.UTF_8);
        } catch (GeneratorException e) {
            throw new IllegalStateException("CycloneDX document for " + image.reference() + " could not be written", e);
        }
    }

    private static Component imageComponent(ImageIdentity image) {
        Component component = new Component();
        component.setType(Component.Type.CONTAINER);
        String purl = image.purl();
        component.setBomRef(purl);
        component.setName(image.repository());
        component.setVersion(image.manifestDigest());
        component.setPurl(purl);
        if (image.manifestDigest().startsWith("sha256:")) {
            component.addHash(new Hash(Hash.Algorithm.SHA_256, image.manifestDigest().substring("sha256:".length())));
        } else {
            component.addHash(new Hash(Hash.Algorithm.SHA_512, image.manifestDigest().substring("sha512:".length())));
        }
        image.tag().ifPresent(tag -> component.addProperty(new Property("stowage:tag", tag)));
        return component;
    }

    private static ToolInformation tools(String toolVersion) {
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName(SbomWriter.TOOL_NAME);
        tool.setVersion(toolVersion);
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));
        return tools;
    }

    /** No purl: the purl spec has no type for a distribution itself. */
    private static Component operatingSystemComponent(OperatingSystem os) {
        Component component = new Component();
        component.setType(Component.Type.OPERATING_SYSTEM);
        component.setBomRef("stowage:os/" + os.id() + (os.versionId().isEmpty() ? "" : "@" + os.versionId()));
        component.setName(os.id());
        if (!os.versionId().isEmpty()) component.setVersion(os.versionId());
        if (os.prettyName() != null && !os.prettyName().isBlank()) component.setDescription(os.prettyName());
        return component;
    }

    /**
     * The purl with a {@code package-id} qualifier naming the package record: unique even when one package was found at
     * two paths, and still a purl (the qualifier goes before a {@code #subpath}).
     */
    static String bomRef(FoundPackage pkg) {
        String purl = pkg.purl();
        int hash = purl.indexOf('#');
        String head = hash < 0 ? purl : purl.substring(0, hash);
        String subpath = hash < 0 ? "" : purl.substring(hash);
        return head + (head.contains("?") ? "&" : "?") + "package-id=" + SbomContent.packageId(pkg) + subpath;
    }

    private static Component packageComponent(FoundPackage pkg) {
        Component component = new Component();
        component.setType(Component.Type.LIBRARY);
        component.setBomRef(bomRef(pkg));
        int colon = pkg.name().indexOf(':');
        if (pkg.type() == PackageType.MAVEN && colon > 0) {
            component.setGroup(pkg.name().substring(0, colon));
            component.setName(pkg.name().substring(colon + 1));
        } else {
            component.setName(pkg.name());
        }
        component.setVersion(pkg.version());
        component.setPurl(pkg.purl());
        component.addProperty(new Property(PACKAGE_TYPE_PROPERTY, pkg.type().purlType()));
        component.addProperty(new Property(LAYER_PROPERTY, pkg.layer()));
        component.addProperty(new Property(PATH_PROPERTY, pkg.path()));
        if (!pkg.sourceName().equals(pkg.name())) {
            component.addProperty(new Property(SOURCE_NAME_PROPERTY, pkg.sourceName()));
        }
        if (!pkg.sourceVersion().equals(pkg.version())) {
            component.addProperty(new Property(SOURCE_VERSION_PROPERTY, pkg.sourceVersion()));
        }
        return component;
    }
}
