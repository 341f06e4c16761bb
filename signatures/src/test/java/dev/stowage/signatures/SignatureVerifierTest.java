package dev.stowage.signatures;

import dev.stowage.core.Digest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SignatureVerifierTest {
    /** Recognises everything; every signature fails, naming its artifact. */
    private static final SignatureFormat FAILING = new SignatureFormat() {
        @Override
        public boolean recognises(SignatureArtifact artifact) {
            return true;
        }

        @Override
        public List<SignatureCheck> verify(SignatureArtifact artifact, Digest subject, TrustMaterial trust, Instant now) {
            return List.of(SignatureCheck.failed(SignatureKind.NOTATION_JWS, artifact.digest(), Optional.empty(), "bad"));
        }
    };

    private static SignatureArtifact artifact(int n) {
        byte[] manifest = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        return new SignatureArtifact(Digest.sha256Of(manifest), "application/vnd.oci.image.manifest.v1+json",
                SignatureMediaTypes.NOTATION_SIGNATURE, manifest, Map.of(), SignatureArtifact.Origin.REFERRER);
    }

    @Test
    void aFloodOfSignaturesIsVerifiedUpToTheBoundAndTheRestIsReportedInOneLine() {
        List<SignatureArtifact> flood = IntStream.range(0, SignatureVerifier.MAX_ARTIFACTS + 6)
                .mapToObj(SignatureVerifierTest::artifact).toList();

        List<SignatureCheck> checks = new SignatureVerifier(List.of(FAILING))
                .verify(Digest.sha256Of(new byte[1]), flood, new TrustMaterial(TrustPolicy.NONE, List.of()), Instant.now());

        assertThat(checks).hasSize(SignatureVerifier.MAX_ARTIFACTS + 1);
        SignatureCheck last = checks.getLast();
        assertThat(last.artifact()).isEqualTo(flood.get(SignatureVerifier.MAX_ARTIFACTS).digest());
        assertThat(last.reason()).isEqualTo("not checked, with 5 more: only 64 signature artifacts of one image are verified");
        assertThat(last.kind()).as("the kind its artifact type says").isEqualTo(SignatureKind.NOTATION_JWS);
    }

    @Test
    void aFormatThatThrowsLeavesAFailedCheckOfTheArtifactsKind() {
        SignatureFormat throwing = new SignatureFormat() {
            @Override
            public boolean recognises(SignatureArtifact artifact) {
                return true;
            }

            @Override
            public List<SignatureCheck> verify(SignatureArtifact a, Digest subject, TrustMaterial trust, Instant now) {
                throw new IllegalStateException("bug");
            }
        };
        List<SignatureCheck> checks = new SignatureVerifier(List.of(throwing))
                .verify(Digest.sha256Of(new byte[1]), List.of(artifact(1)), new TrustMaterial(TrustPolicy.NONE, List.of()),
                        Instant.now());
        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.verified()).isFalse();
            assertThat(c.kind()).isEqualTo(SignatureKind.NOTATION_JWS);
            assertThat(c.reason()).isEqualTo("could not be verified: IllegalStateException");
        });
    }
}
