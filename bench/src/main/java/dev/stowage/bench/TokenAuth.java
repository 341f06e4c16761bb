package dev.stowage.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker token flow as docker and podman run it: the registry's challenge names the realm and service; the
 * client signs in there with Basic credentials for a scope (a repository's pull and push, or the catalog), keeps
 * the token until shortly before it expires, and sends it as {@code Authorization: Bearer} on every request. Shared
 * by every connection to one registry, as one docker daemon shares its tokens.
 */
final class TokenAuth {
    private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");

    private record Token(String bearer, long refreshAtNanos) {}

    private final URI base;
    private final String basic;
    private final Map<String, Token> byScope = new ConcurrentHashMap<>();
    private volatile String realmPath;
    private volatile String service;

    TokenAuth(URI base, String username, String password) {
        this.base = base;
        this.basic = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The Basic credentials it signs in with (also what a Stowage administrator's API calls carry). */
    String basic() {
        return basic;
    }

    /** The scope a request to {@code path} needs: its repository's pull and push, the catalog, or none (/v2/). */
    static String scopeOf(String path) {
        if (path.startsWith("/v2/_catalog")) return "registry:catalog:*";
        if (!path.startsWith("/v2/") || path.length() <= 4) return null;
        String rest = path.substring(4);
        // As the registry routes them: the name runs up to the last marker (a name may hold "tags" or "blobs").
        int at = -1;
        for (String marker : new String[] {"/blobs/", "/manifests/", "/tags/", "/referrers/"}) at = Math.max(at, rest.lastIndexOf(marker));
        return at > 0 ? "repository:" + rest.substring(0, at) + ":pull,push" : null;
    }

    /** The Authorization header for a request to {@code path}: a token for its scope, signed in for when needed. */
    String authorization(String path) throws IOException {
        String scope = scopeOf(path);
        if (scope == null) scope = "";
        Token token = byScope.get(scope);
        if (token == null || System.nanoTime() - token.refreshAtNanos() > 0) {
            token = signIn(scope);
            byScope.put(scope, token);
        }
        return "Bearer " + token.bearer();
    }

    /** A 401 for {@code path}: the token is not taken again (it expired early, or was revoked). */
    void forget(String path) {
        String scope = scopeOf(path);
        byScope.remove(scope == null ? "" : scope);
    }

    private Token signIn(String scope) throws IOException {
        if (realmPath == null) discover();
        String query = "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8)
                + (scope.isEmpty() ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        try (HttpConnection c = new HttpConnection(base)) {
            HttpConnection.Response r = c.send("GET", realmPath + query, Map.of("Authorization", basic), null, true, null);
            Workloads.expect(r, 200, "sign-in for " + (scope.isEmpty() ? "the registry" : scope));
            String body = new String(r.body(), StandardCharsets.UTF_8);
            Matcher token = TOKEN.matcher(body);
            if (!token.find()) throw new IOException("no token in the answer of " + realmPath);
            Matcher expires = EXPIRES_IN.matcher(body);
            long seconds = expires.find() ? Long.parseLong(expires.group(1)) : 60;
            // Renewed a little before it expires, as docker does, so no request meets an expired token.
            long keepSeconds = Math.max(1, seconds - Math.min(30, seconds / 5));
            return new Token(token.group(1), System.nanoTime() + keepSeconds * 1_000_000_000L);
        }
    }

    /** Reads the realm and service from the challenge of {@code GET /v2/}. */
    private synchronized void discover() throws IOException {
        if (realmPath != null) return;
        try (HttpConnection c = new HttpConnection(base)) {
            HttpConnection.Response r = c.send("GET", "/v2/", Map.of(), null, false, null);
            String challenge = r.header("www-authenticate");
            if (r.status() != 401 || challenge == null || !challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new IOException(base + " did not challenge for a Bearer token (status " + r.status() + ")");
            }
            Matcher m = PARAMETER.matcher(challenge);
            String realm = null;
            String svc = "";
            while (m.find()) {
                if (m.group(1).equals("realm")) realm = m.group(2);
                if (m.group(1).equals("service")) svc = m.group(2);
            }
            if (realm == null) throw new IOException("no realm in the challenge: " + challenge);
            URI realmUri = URI.create(realm);
            service = svc;
            realmPath = realmUri.getRawPath();
        }
    }
}
