package dev.stowage.server;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The manifest route is read by hand (the pull hot path): it must match exactly what the regular expression did. */
class RouteTest {
    private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");

    @Test
    void manifestPathsResolveExactlyAsTheRegularExpressionReadThem() {
        List<String> paths = List.of("/v2/a/manifests/latest", "/v2/team/app/manifests/v1", "/v2/a/manifests/b/manifests/c",
                "/v2/manifests/manifests/x", "/v2/a/manifests/", "/v2//manifests/x", "/v2/a/manifests", "/v2/a/b/manifests/sha256:"
                        + "a".repeat(64), "/v2/a/xmanifests/x", "/v2/a/manifests/x/", "/v2/a/tags/list", "/v2/a/manifests/x/y",
                "/v2/a/blobs/manifests/x", "/v2/ab/manifests/t");
        for (String path : paths) {
            Matcher m = MANIFEST.matcher(path);
            String expected = m.matches() ? "MANIFEST " + m.group(1) + " " + m.group(2) : "other";
            String actual;
            try {
                Route route = Route.resolve(path);
                actual = route.endpoint() == Route.Endpoint.MANIFEST ? "MANIFEST " + route.name() + " " + route.argument() : "other";
            } catch (RuntimeException e) {
                actual = "other"; // not found or an invalid name: not a manifest route
            }
            if (expected.startsWith("MANIFEST") && !actual.startsWith("MANIFEST")) {
                // the regex matched but the name is invalid (e.g. empty segments): both refuse it the same way
                assertThat(isValidName(m.group(1))).as(path).isFalse();
                continue;
            }
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }

    private static boolean isValidName(String name) {
        try {
            dev.stowage.core.RepositoryName.of(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
