package dev.stowage.scanning.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.PackageType;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class SbomWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "4f".repeat(32);
    private static final ImageIdentity IMAGE =
            new ImageIdentity("registry.example.com:5000", "team/App", DIGEST, Optional.of("1.0"));
    private static final Instant CREATED = Instant.parse("2026-03-01T12:00:00.123Z");
    private static final SbomWriter WRITER = new SbomWriter("0.1.0");

    private final Inventory inventory = RealInventories.machineImage();

    @Test
    void theRealInventoryHasDozensOfPackages() {
        assertThat(inventory.packages()).hasSizeGreaterThan(50);
    }

    @Test
    void mediaTypesAreTheRegisteredOnes() {
        assertThat(SbomFormat.CYCLONEDX_JSON.mediaType()).isEqualTo("application/vnd.cyclonedx+json");
        assertThat(SbomFormat.SPDX_JSON.mediaType()).isEqualTo("application/spdx+json");
        assertThat(SbomFormat.ofMediaType("application/vnd.cyclonedx+json; version=1.6"))
                .hasValue(SbomFormat.CYCLONEDX_JSON);
        assertThat(SbomFormat.ofMediaType("application/json")).isEmpty();
    }

    @Test
    void imagePurlIsAnOciPurlWithRepositoryUrlAndTag() {
        assertThat(IMAGE.purl()).isEqualTo("pkg:oci/app@sha256%3A" + "4f".repeat(32)
                + "?repository_url=registry.example.com%3A5000%2Fteam%2FApp&tag=1.0");
    }

    @Test
    void cycloneDxDocumentIsValidCycloneDx16() throws IOException {
        byte[] document = WRITER.write(SbomFormat.CYCLONEDX_JSON, inventory, IMAGE, CREATED);

        List<ParseException> errors = new JsonParser().validate(document, Version.VERSION_16);

        assertThat(errors).isEmpty();
        assertThat(JSON.readTree(document).path("specVersion").asText()).isEqualTo("1.6");
        assertThat(JSON.readTree(document).path("bomFormat").asText()).isEqualTo("CycloneDX");
    }

    @Test
    void cycloneDxMetadataComponentIsTheImageAsContainer() throws Exception {
        Bom bom = new JsonParser().parse(WRITER.write(SbomFormat.CYCLONEDX_JSON, inventory, IMAGE, CREATED));

        Component image = bom.getMetadata().getComponent();
        assertThat(image.getType()).isEqualTo(Component.Type.CONTAINER);
        assertThat(image.getPurl()).isEqualTo(IMAGE.purl());
        assertThat(image.getName()).isEqualTo("team/App");
        assertThat(image.getVersion()).isEqualTo(DIGEST);
        assertThat(image.getHashes()).singleElement()
                .satisfies(h -> assertThat(h.getValue()).isEqualTo("4f".repeat(32)));
        assertThat(bom.getMetadata().getToolChoice().getComponents()).singleElement()
                .satisfies(tool -> {
                    assertThat(tool.getName()).isEqualTo("stowage");
                    assertThat(tool.getVersion()).isEqualTo("0.1.0");
                });
        assertThat(bom.getMetadata().getTimestamp().toInstant()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(bom.getSerialNumber()).matches("urn:uuid:[0-9a-f-]{36}");
    }

    @Test
    void cycloneDxListsEveryPackageAsLibraryWithPurlLayerAndPath() throws Exception {
        Bom bom = new JsonParser().parse(WRITER.write(SbomFormat.CYCLONEDX_JSON, inventory, IMAGE, CREATED));

        List<Component> libraries = bom.getComponents().stream()
                .filter(c -> c.getType() == Component.Type.LIBRARY).toList();
        assertThat(libraries).hasSize(inventory.packages().size());
        Component databind = libraries.stream().filter(c -> c.getName().equals("jackson-databind")).findFirst()
                .orElseThrow();
        assertThat(databind.getGroup()).isEqualTo("com.fasterxml.jackson.core");
        assertThat(databind.getVersion()).isEqualTo("2.18.2");
        assertThat(databind.getPurl()).isEqualTo("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.18.2");
        assertThat(databind.getProperties()).extracting(p -> p.getName() + "=" + p.getValue()).contains(
                "stowage:layer=" + RealInventories.APP_LAYER,
                "stowage:path=/app/app.jar!/BOOT-INF/lib/jackson-databind-2.18.2.jar",
                "stowage:package-type=maven");
        assertThat(libraries).extracting(Component::getBomRef).doesNotHaveDuplicates();
        assertThat(libraries).allSatisfy(c -> assertThat(c.getBomRef()).startsWith(c.getPurl()));
    }

    @Test
    void cycloneDxNamesTheOperatingSystemAndItsPackagesDependOnIt() throws Exception {
        Bom bom = new JsonParser().parse(WRITER.write(SbomFormat.CYCLONEDX_JSON, inventory, IMAGE, CREATED));

        Component os = bom.getComponents().stream()
                .filter(c -> c.getType() == Component.Type.OPERATING_SYSTEM).findFirst().orElseThrow();
        assertThat(os.getName()).isEqualTo(RealInventories.machineOperatingSystem().id());
        long debianPackages = inventory.packages().stream().filter(p -> p.type() == PackageType.DEBIAN).count();
        assertThat(bom.getDependencies()).anySatisfy(d -> {
            assertThat(d.getRef()).isEqualTo(os.getBomRef());
            assertThat(d.getDependencies()).hasSize((int) debianPackages);
        });
        assertThat(bom.getDependencies()).anySatisfy(d -> {
            assertThat(d.getRef()).isEqualTo(IMAGE.purl());
            assertThat(d.getDependencies()).hasSize(1 + RealInventories.languagePackages().size());
        });
    }

    @Test
    void spdxDocumentIsValidAgainstTheOfficialSpdx23Schema() throws IOException {
        byte[] document = WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED);

        List<Error> errors = spdxSchema().validate(JSON.readTree(document));

        assertThat(errors).isEmpty();
    }

    @Test
    void spdxSchemaRejectsADocumentWithoutItsRequiredFields() throws IOException {
        var document = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED));
        document.remove("creationInfo");

        assertThat(spdxSchema().validate(document)).isNotEmpty();
    }

    @Test
    void spdxHeaderIsSpdx23WithCc0AndAUniqueNamespace() throws IOException {
        JsonNode document = JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED));

        assertThat(document.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
        assertThat(document.path("dataLicense").asText()).isEqualTo("CC0-1.0");
        assertThat(document.path("SPDXID").asText()).isEqualTo("SPDXRef-DOCUMENT");
        assertThat(document.path("documentNamespace").asText()).matches(
                "https://registry\\.example\\.com:5000/spdx/team/App/sha256-(4f){32}/[0-9a-f-]{36}");
        assertThat(document.path("creationInfo").path("created").asText()).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(document.path("creationInfo").path("creators").get(0).asText()).isEqualTo("Tool: stowage-0.1.0");
    }

    @Test
    void spdxDocumentDescribesTheImageWhichContainsEveryPackage() throws IOException {
        JsonNode document = JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED));

        List<String> relationships = StreamSupport.stream(document.path("relationships").spliterator(), false)
                .map(r -> r.path("spdxElementId").asText() + " " + r.path("relationshipType").asText() + " "
                        + r.path("relatedSpdxElement").asText())
                .toList();
        assertThat(relationships).contains("SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image");
        // the image, the operating system and every package
        assertThat(document.path("packages")).hasSize(2 + inventory.packages().size());
        for (JsonNode pkg : document.path("packages")) {
            if (pkg.path("SPDXID").asText().equals("SPDXRef-Image")) continue;
            assertThat(relationships).contains("SPDXRef-Image CONTAINS " + pkg.path("SPDXID").asText());
        }
    }

    @Test
    void spdxPackagesCarryPurlVersionAndWhereTheyWereFound() throws IOException {
        JsonNode document = JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED));

        JsonNode babel = StreamSupport.stream(document.path("packages").spliterator(), false)
                .filter(p -> p.path("name").asText().equals("@babel/core")).findFirst().orElseThrow();
        assertThat(babel.path("SPDXID").asText()).matches("SPDXRef-Package-npm--babel-core-[0-9a-f]{16}");
        assertThat(babel.path("versionInfo").asText()).isEqualTo("7.22.5");
        assertThat(babel.path("downloadLocation").asText()).isEqualTo("NOASSERTION");
        assertThat(babel.path("filesAnalyzed").asBoolean(true)).isFalse();
        assertThat(babel.path("externalRefs").get(0).path("referenceCategory").asText()).isEqualTo("PACKAGE-MANAGER");
        assertThat(babel.path("externalRefs").get(0).path("referenceType").asText()).isEqualTo("purl");
        assertThat(babel.path("externalRefs").get(0).path("referenceLocator").asText())
                .isEqualTo("pkg:npm/%40babel/core@7.22.5");
        assertThat(babel.path("sourceInfo").asText()).isEqualTo("found by stowage in layer "
                + RealInventories.APP_LAYER + " at /srv/web/node_modules/@babel/core/package.json");
    }

    @Test
    void sameInputGivesByteIdenticalDocuments() {
        Inventory reordered = new Inventory(inventory.operatingSystem(),
                reversed(inventory.packages()), inventory.skipped());
        for (SbomFormat format : SbomFormat.values()) {
            assertThat(WRITER.write(format, reordered, IMAGE, CREATED))
                    .as(format.name())
                    .isEqualTo(WRITER.write(format, inventory, IMAGE, CREATED));
        }
    }

    @Test
    void aDifferentInventoryGetsADifferentSerialNumberAndNamespace() throws IOException {
        Inventory fewer = new Inventory(inventory.operatingSystem(),
                inventory.packages().subList(1, inventory.packages().size()), List.of());

        assertThat(JSON.readTree(WRITER.write(SbomFormat.CYCLONEDX_JSON, fewer, IMAGE, CREATED)).path("serialNumber"))
                .isNotEqualTo(JSON.readTree(WRITER.write(SbomFormat.CYCLONEDX_JSON, inventory, IMAGE, CREATED))
                        .path("serialNumber"));
        assertThat(JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, fewer, IMAGE, CREATED)).path("documentNamespace"))
                .isNotEqualTo(JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, inventory, IMAGE, CREATED))
                        .path("documentNamespace"));
    }

    @Test
    void onePackageFoundAtTwoPathsIsListedTwiceWithDistinctIds() throws Exception {
        FoundPackage first = RealInventories.languagePackages().get(0);
        FoundPackage copy = new FoundPackage(first.type(), first.name(), first.version(), null, null, first.purl(),
                first.layer(), "/opt/other/jackson-databind-2.18.2.jar");
        Inventory twice = new Inventory(Optional.empty(), List.of(first, copy, first), List.of());

        Bom bom = new JsonParser().parse(WRITER.write(SbomFormat.CYCLONEDX_JSON, twice, IMAGE, CREATED));
        JsonNode spdx = JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, twice, IMAGE, CREATED));

        assertThat(bom.getComponents()).hasSize(2);
        assertThat(bom.getComponents()).extracting(Component::getBomRef).doesNotHaveDuplicates();
        assertThat(spdx.path("packages")).hasSize(3);
        assertThat(spdxSchema().validate(spdx)).isEmpty();
    }

    @Test
    void theBomRefOfAPurlWithSubpathKeepsTheSubpathLast() {
        FoundPackage withSubpath = new FoundPackage(PackageType.GO, "github.com/docker/distribution",
                "2.6.2+incompatible", null, null,
                "pkg:golang/github.com/docker/distribution@v2.6.2%2Bincompatible#registry/storage", RealInventories.APP_LAYER,
                "/usr/bin/docker-registry");

        assertThat(CycloneDxDocument.bomRef(withSubpath)).matches(
                "pkg:golang/github.com/docker/distribution@v2.6.2%2Bincompatible\\?package-id=[0-9a-f]{16}#registry/storage");
    }

    @Test
    void anImageWithoutOperatingSystemOrPackagesIsStillValid() throws Exception {
        Inventory empty = new Inventory(Optional.empty(), List.of(), List.of());
        ImageIdentity untagged = new ImageIdentity("localhost", "scratch", DIGEST, Optional.empty());

        assertThat(new JsonParser().validate(WRITER.write(SbomFormat.CYCLONEDX_JSON, empty, untagged, CREATED),
                Version.VERSION_16)).isEmpty();
        assertThat(spdxSchema().validate(JSON.readTree(WRITER.write(SbomFormat.SPDX_JSON, empty, untagged, CREATED))))
                .isEmpty();
        assertThat(untagged.purl()).isEqualTo("pkg:oci/scratch@sha256%3A" + "4f".repeat(32)
                + "?repository_url=localhost%2Fscratch");
    }

    private static Schema spdxSchema() throws IOException {
        try (InputStream schema = SbomWriterTest.class.getResourceAsStream("/sbom/spdx-schema-2.3.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(schema);
        }
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
