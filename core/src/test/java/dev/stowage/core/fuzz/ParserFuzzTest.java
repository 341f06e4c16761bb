package dev.stowage.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.stowage.core.Digest;
import dev.stowage.core.Durations;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.Scope;
import dev.stowage.core.manifest.ManifestParser;
import dev.stowage.core.manifest.ParsedManifest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parsers that read what a network client sends. Each may answer a value or refuse with a RegistryException
 * (which the HTTP layer turns into the spec's error); any other exception is a bug that would surface as a 500.
 *
 * <p>{@code ./mvnw verify} runs these in regression mode: every input under
 * {@code src/test/resources/dev/stowage/core/fuzz/ParserFuzzTestInputs/<method>/} (crashes found earlier and seeds).
 * To fuzz for a bounded time: {@code JAZZER_FUZZ=1 ./mvnw -pl core test -Dtest=ParserFuzzTest#manifest
 * -Djazzer.max_duration=5m}; a crash is written as a new input file there, to be committed with its fix.
 */
class ParserFuzzTest {

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    @FuzzTest(maxDuration = "60s")
    void digest(byte[] input) {
        String text = text(input);
        try {
            Digest digest = Digest.parse(text);
            assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
        } catch (RegistryException refused) {
            // a client mistake, answered with DIGEST_INVALID
        }
    }

    @FuzzTest(maxDuration = "60s")
    void repositoryName(byte[] input) {
        String text = text(input);
        try {
            RepositoryName name = RepositoryName.of(text);
            assertThat(name.value()).hasSizeLessThanOrEqualTo(RepositoryName.MAX_LENGTH);
            assertThat(name.value()).doesNotContain("..", "//").doesNotStartWith("/").doesNotEndWith("/");
            assertThat(name.project()).isNotEmpty();
        } catch (RegistryException refused) {
            // NAME_INVALID
        }
    }

    @FuzzTest(maxDuration = "60s")
    void reference(byte[] input) {
        String text = text(input);
        try {
            Reference reference = Reference.parse(text);
            assertThat(reference.toString()).isEqualTo(text);
        } catch (RegistryException refused) {
            // TAG_INVALID or DIGEST_INVALID
        }
    }

    @FuzzTest(maxDuration = "60s")
    void scopes(byte[] input) {
        // Several scope parameters, as a token request repeats them: one per line.
        List<String> parameters = List.of(text(input).split("\n", -1));
        try {
            for (Scope scope : Scope.parseAll(parameters)) {
                assertThat(scope.type()).isNotEmpty();
                assertThat(scope.actions()).doesNotContainNull();
            }
        } catch (RegistryException refused) {
            // 400 malformed scope
        }
    }

    @FuzzTest(maxDuration = "60s")
    void duration(byte[] input) {
        Optional<Duration> parsed = Durations.parse(text(input));
        parsed.ifPresent(d -> assertThat(d.isNegative()).as("a parsed duration is never negative: %s", d).isFalse());
    }

    @FuzzTest(maxDuration = "120s")
    void manifest(byte[] input) {
        if (input.length == 0) return;
        // The first byte picks the Content-Type the client claims; the rest is the body.
        String[] types = {
                "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v1+prettyjws", "application/json", ""};
        String contentType = types[(input[0] & 0xff) % types.length];
        byte[] payload = Arrays.copyOfRange(input, 1, input.length);
        try {
            ParsedManifest parsed = ManifestParser.parse(payload, contentType.isEmpty() ? null : contentType,
                    Digest.sha256Of(payload));
            assertThat(parsed.blobs()).doesNotContainNull();
            assertThat(parsed.children()).doesNotContainNull();
            parsed.blobs().forEach(d -> assertThat(d.size()).isNotNegative());
            parsed.children().forEach(d -> assertThat(d.size()).isNotNegative());
        } catch (RegistryException refused) {
            // MANIFEST_INVALID and its kin
        }
    }
}
