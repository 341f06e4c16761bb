package dev.stowage.server;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request path resolved to an endpoint of the distribution API. Repository names contain slashes, so paths are
 * matched from the right: the greedy name group takes everything before the last endpoint suffix.
 */
public record Route(Endpoint endpoint, Optional<RepositoryName> repository, String argument) {

    public enum Endpoint { BASE, CATALOG, TAGS, MANIFEST, BLOB, UPLOADS, UPLOAD, REFERRERS }

    private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
    private static final Pattern UPLOADS = Pattern.compile("^/v2/(.+)/blobs/uploads/?$");
    private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads/([^/]+)$");
    private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
    private static final Pattern REFERRERS = Pattern.compile("^/v2/(.+)/referrers/([^/]+)$");

    /** Resolves a decoded path (no query); unknown paths are NOT_FOUND, bad names NAME_INVALID. */
    public static Route resolve(String path) {
        if (path.equals("/v2") || path.equals("/v2/")) return new Route(Endpoint.BASE, Optional.empty(), "");
        if (path.equals("/v2/_catalog")) return new Route(Endpoint.CATALOG, Optional.empty(), "");
        if (!path.startsWith("/v2/")) throw notFound(path);
        // Manifests (the pull hot path) without a regular expression: what ^/v2/(.+)/manifests/([^/]+)$ matches, the
        // name greedy up to the last "/manifests/" and an argument without '/', read by hand.
        int lastSlash = path.lastIndexOf('/');
        int manifests = lastSlash - "/manifests".length();
        if (manifests > 4 && lastSlash < path.length() - 1 && path.startsWith("/manifests", manifests)) {
            return route(Endpoint.MANIFEST, path.substring(4, manifests), path.substring(lastSlash + 1));
        }
        Matcher m;
        if ((m = TAGS.matcher(path)).matches()) return route(Endpoint.TAGS, m.group(1), "");
        if ((m = UPLOADS.matcher(path)).matches()) return route(Endpoint.UPLOADS, m.group(1), "");
        if ((m = UPLOAD.matcher(path)).matches()) return route(Endpoint.UPLOAD, m.group(1), m.group(2));
        if ((m = BLOB.matcher(path)).matches()) return route(Endpoint.BLOB, m.group(1), m.group(2));
        if ((m = REFERRERS.matcher(path)).matches()) return route(Endpoint.REFERRERS, m.group(1), m.group(2));
        throw notFound(path);
    }

    public RepositoryName name() {
        return repository.orElseThrow();
    }

    private static Route route(Endpoint endpoint, String name, String argument) {
        return new Route(endpoint, Optional.of(RepositoryName.of(name)), argument);
    }

    private static RegistryException notFound(String path) {
        return new RegistryException(ErrorCode.NOT_FOUND, "no such endpoint: "
                + (path.length() > 100 ? path.substring(0, 100) + "..." : path));
    }
}
