package dev.stowage.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker token flow as docker and podman run it: the registry's challenge ({@code GET /v2/}: 401 with
 * {@code WWW-Authenticate: Bearer realm=...,service=...}) names the realm and service; the client signs in there
 * with Basic credentials for a scope (a repository's pull and push, or the catalog), keeps the token until shortly
 * before it expires, sends it as {@code Authorization: Bearer} on every request, and signs in again when the
 * registry refuses it. Shared by every connection to one registry, as one docker daemon shares its tokens.
 */
final class TokenAuth {
    private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");
    /** The scope of requests that name no repository (GET /v2/): a token without access, as docker asks for. */
    static final String NO_SCOPE = "";

    /** A token as the Authorization header that carries it, and when to sign in for a new one. */
    private record Token(String header, long renewAtNanos) {
        boolean fresh() {
            return System.nanoTime() - renewAtNanos < 0;
        }
    }

    private record Realm(URI uri, String service) {}

    private final URI base;
    private final String basic;
    private final Map<String, Token> byScope = new ConcurrentHashMap<>();
    private volatile Realm realm;
    private int signIns;
    private final java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();

    TokenAuth(URI base, String username, String password) {
        this.base = base;
        this.basic = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The Basic credentials it signs in with (also what a Stowage administrator's API calls carry). */
    String basic() {
        return basic;
    }

    /**
     * The scope a request to {@code pathAndQuery} needs: its repository's pull and push, the catalog, or
     * {@link #NO_SCOPE}. The repository is what precedes the route's tail ({@code tags/list}, {@code manifests/<ref>},
     * {@code blobs/<digest>}, {@code blobs/uploads/[<id>]}, {@code referrers/<digest>}), read from the end because a
     * repository's name may itself have {@code tags}, {@code blobs} or {@code manifests} as a component.
     */
    static String scopeOf(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
        if (path.equals("/v2/_catalog")) return "registry:catalog:*";
        if (!path.startsWith("/v2/")) return NO_SCOPE;
        String[] parts = path.substring(4).split("/", -1);
        int n = parts.length;
        int nameParts = 0;
        if (n >= 3 && parts[n - 2].equals("tags") && parts[n - 1].equals("list")) nameParts = n - 2;
        else if (n >= 3 && List.of("manifests", "blobs", "referrers").contains(parts[n - 2])) nameParts = n - 2;
        else if (n >= 4 && parts[n - 3].equals("blobs") && parts[n - 2].equals("uploads")) nameParts = n - 3;
        if (nameParts == 0) return NO_SCOPE;
        return "repository:" + String.join("/", Arrays.asList(parts).subList(0, nameParts)) + ":pull,push";
    }

    /** The Authorization header for a request that needs {@code scope}: a token for it, signed in for when needed. */
    String authorization(String scope) throws IOException {
        Token token = byScope.get(scope);
        if (token != null && token.fresh()) return token.header();
        // One sign-in per scope however many connections need it at once, as one docker daemon does.
        synchronized (this) {
            token = byScope.get(scope);
            if (token == null || !token.fresh()) {
                token = signIn(scope);
                byScope.put(scope, token);
            }
            return token.header();
        }
    }

    /**
     * The registry answered 401 to {@code header} (the token expired early, or was revoked): it is not sent again.
     * Another connection may have signed in anew meanwhile; that newer token stays.
     */
    void refused(String scope, String header) {
        refusals.incrementAndGet();
        byScope.computeIfPresent(scope, (k, token) -> token.header().equals(header) ? null : token);
    }

    /** How many times the bench signed in (one per scope, and again per expiry or refusal). */
    synchronized int signIns() {
        return signIns;
    }

    /** How many requests the registry refused with a token (each was repeated after a new sign-in). */
    long refusals() {
        return refusals.get();
    }

    private Token signIn(String scope) throws IOException {
        Realm r = realm();
        String query = "service=" + URLEncoder.encode(r.service(), StandardCharsets.UTF_8)
                + (scope.isEmpty() ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        String path = r.uri().getRawPath() + (r.uri().getRawQuery() == null ? "?" : "?" + r.uri().getRawQuery() + "&") + query;
        try (HttpConnection c = new HttpConnection(r.uri())) {
            HttpConnection.Response answer = c.send("GET", path, Map.of("Authorization", basic), null, true, null);
            Workloads.expect(answer, 200, "sign-in at " + r.uri() + " for " + (scope.isEmpty() ? "the registry" : scope));
            String body = new String(answer.body(), StandardCharsets.UTF_8);
            Matcher token = TOKEN.matcher(body);
            if (!token.find()) throw new IOException("no token in the answer of " + r.uri());
            Matcher expires = EXPIRES_IN.matcher(body);
            long seconds = expires.find() ? Long.parseLong(expires.group(1)) : 60; // the spec's default
            // Renewed a little before it expires, as docker does, so that requests do not meet an expired token.
            long keepSeconds = Math.max(1, seconds - Math.min(30, seconds / 5));
            signIns++;
            return new Token("Bearer " + token.group(1), System.nanoTime() + keepSeconds * 1_000_000_000L);
        }
    }

    /** The realm and service, read once from the challenge of {@code GET /v2/}. */
    private Realm realm() throws IOException {
        if (realm != null) return realm;
        try (HttpConnection c = new HttpConnection(base)) {
            HttpConnection.Response r = c.send("GET", "/v2/", Map.of(), null, false, null);
            String challenge = r.header("www-authenticate");
            if (r.status() != 401 || challenge == null || !challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new IOException(base + " did not challenge for a Bearer token (GET /v2/: " + r.status()
                        + (challenge == null ? "" : ", " + challenge) + ")");
            }
            Matcher m = PARAMETER.matcher(challenge);
            String uri = null;
            String service = "";
            while (m.find()) {
                if (m.group(1).equals("realm")) uri = m.group(2);
                if (m.group(1).equals("service")) service = m.group(2);
            }
            if (uri == null) throw new IOException("no realm in the challenge: " + challenge);
            URI realmUri = base.resolve(uri);
            if (!"http".equals(realmUri.getScheme())) {
                throw new IOException("the realm " + realmUri + " is not plain HTTP, which is all the bench's client speaks");
            }
            realm = new Realm(realmUri, service);
            return realm;
        }
    }
}
