package dev.stowage.server;

import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.access.AccessRequest;
import dev.stowage.core.access.Action;
import dev.stowage.core.service.MountResult;
import dev.stowage.core.service.Page;
import dev.stowage.core.service.PutManifestResult;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.UploadStatus;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.BlobRecord;
import dev.stowage.core.spi.ManifestRecord;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.stowage.server.Exchange.headersOf;

/**
 * The distribution API's endpoints. Thin: each one parses the request, passes the access check (the same call for
 * every route), calls the registry service and writes the answer. Runs on a virtual thread per request.
 */
final class RegistryApi {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryApi.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("^(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?$");
    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");

    private final RegistryService service;
    private final AccessController access;
    private final Optional<TokenApi> tokenApi;
    private final Optional<AdminApi> adminApi;
    private final Optional<SignInApi> signInApi;
    private final EventPublisher events;

    RegistryApi(RegistryService service, AccessController access, Optional<TokenApi> tokenApi, Optional<AdminApi> adminApi) {
        this(service, access, tokenApi, adminApi, Optional.empty());
    }

    RegistryApi(RegistryService service, AccessController access, Optional<TokenApi> tokenApi, Optional<AdminApi> adminApi,
                Optional<SignInApi> signInApi) {
        this(service, access, tokenApi, adminApi, signInApi, EventPublisher.NOOP);
    }

    RegistryApi(RegistryService service, AccessController access, Optional<TokenApi> tokenApi, Optional<AdminApi> adminApi,
                Optional<SignInApi> signInApi, EventPublisher events) {
        this.events = events;
        this.signInApi = signInApi;
        this.service = service;
        this.access = access;
        this.tokenApi = tokenApi;
        this.adminApi = adminApi;
    }

    /** Manifest requests {@link #tryInline} answered. */
    final java.util.concurrent.atomic.LongAdder inlineAnswers = new java.util.concurrent.atomic.LongAdder();

    /**
     * Answers on the event loop what needs no blocking work: the version check of an open registry, and manifest
     * reads the service can answer from memory (the pull hot path) when the access check can decide from memory too
     * (a token verified before, its subject and the project cached). Anything else answers false and is dispatched
     * to a virtual thread, where the ordinary check decides and answers refusals.
     */
    boolean tryInline(Exchange exchange) {
        try {
            String path = exchange.path();
            if (path.equals("/v2/")) {
                if (access != AccessController.OPEN) return false;
                handle(exchange);
                return true;
            }
            String method = exchange.method().name();
            if (!(method.equals("GET") || method.equals("HEAD")) || !path.contains("/manifests/")) return false;
            Route route = Route.resolve(path);
            if (route.endpoint() != Route.Endpoint.MANIFEST) return false;
            // The same access request the ordinary path makes, decided from memory (or left to that path).
            if (!exchange.authorizeFromMemory(access, accessRequest(exchange, route, actionFor(route.endpoint(), exchange.method())))) {
                return false;
            }
            Reference reference = Reference.parse(route.argument());
            Optional<ManifestRecord> cached = service.cachedManifest(route.name(), reference, method.equals("HEAD"));
            if (cached.isEmpty()) return false;
            answerManifest(exchange, route.name(), reference, cached.get());
            inlineAnswers.increment();
            return true;
        } catch (RegistryException e) {
            return false; // the ordinary path produces the error answer
        }
    }

    private static AccessRequest accessRequest(Exchange exchange, Route route, Action action) {
        return AccessRequest.forRegistry(exchange.header(HttpHeaderNames.AUTHORIZATION), exchange.clientAddress(), action,
                route.repository(), exchange.host(), exchange.secure());
    }

    void handle(Exchange exchange) {
        try {
            if (tokenApi.isPresent() && exchange.path().equals("/token")) {
                tokenApi.get().handle(exchange);
                return;
            }
            if (signInApi.isPresent() && signInApi.get().handles(exchange.path())) {
                signInApi.get().handle(exchange);
                return;
            }
            if (adminApi.isPresent() && exchange.path().startsWith("/api/v1/")) {
                adminApi.get().handle(exchange);
                return;
            }
            Route route = Route.resolve(exchange.path());
            HttpMethod method = exchange.method();
            exchange.authorize(access, accessRequest(exchange, route, actionFor(route.endpoint(), method)));
            switch (route.endpoint()) {
                case BASE -> exchange.sendJson(200, Map.of(), Map.of());
                case CATALOG -> catalog(exchange);
                case TAGS -> tags(exchange, route.name());
                case MANIFEST -> manifest(exchange, route.name(), manifestReference(exchange, route.argument()));
                case BLOB -> blob(exchange, route.name(), Digest.parse(route.argument()));
                case UPLOADS -> startUpload(exchange, route.name());
                case UPLOAD -> upload(exchange, route.name(), route.argument());
                case REFERRERS -> referrers(exchange, route.name(), Digest.parse(route.argument()));
            }
        } catch (RegistryException e) {
            exchange.body().discard();
            exchange.sendError(e);
        } catch (UncheckedIOException e) {
            exchange.body().discard();
            if (e.getCause() instanceof ClosedChannelException) return; // the client went away
            serverError(exchange, e);
        } catch (RuntimeException | Error e) {
            exchange.body().discard();
            serverError(exchange, e);
        }
    }

    /**
     * The reference of a manifest URL. A PUT to a reference that is neither a tag nor a digest is a client mistake
     * (400); a read or delete of one names nothing that can exist, so it is MANIFEST_UNKNOWN, as Distribution answers
     * and the OCI conformance suite expects.
     */
    private static Reference manifestReference(Exchange exchange, String text) {
        try {
            return Reference.parse(text);
        } catch (RegistryException e) {
            if (exchange.method().equals(HttpMethod.PUT)) throw e;
            String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + shown
                    + " is neither a tag nor a digest", null, 404);
        }
    }

    private static void serverError(Exchange exchange, Throwable e) {
        LOG.error("{} {} failed", exchange.method(), exchange.rawUri(), e);
        exchange.sendJson(500, Map.of(), Map.of("errors", List.of(Map.of("code", "UNKNOWN",
                "message", "internal error; see the server log"))));
    }

    /** Every route maps to one action; a method a route does not support is refused before the access check. */
    private static Action actionFor(Route.Endpoint endpoint, HttpMethod method) {
        String m = method.name();
        return switch (endpoint) {
            case BASE -> allow(m, Action.PING, "GET", "HEAD");
            case CATALOG -> allow(m, Action.CATALOG, "GET");
            case TAGS, REFERRERS -> allow(m, Action.PULL, "GET");
            case MANIFEST, BLOB -> switch (m) {
                case "GET", "HEAD" -> Action.PULL;
                case "DELETE" -> Action.DELETE;
                case "PUT" -> {
                    if (endpoint == Route.Endpoint.BLOB) throw methodNotAllowed(method);
                    yield Action.PUSH;
                }
                default -> throw methodNotAllowed(method);
            };
            case UPLOADS -> allow(m, Action.PUSH, "POST");
            case UPLOAD -> allow(m, Action.PUSH, "GET", "PATCH", "PUT", "DELETE");
        };
    }

    private static Action allow(String method, Action action, String... methods) {
        for (String allowed : methods) if (allowed.equals(method)) return action;
        throw methodNotAllowed(HttpMethod.valueOf(method));
    }

    private static RegistryException methodNotAllowed(HttpMethod method) {
        return new RegistryException(ErrorCode.UNSUPPORTED, "method " + method + " is not allowed here", null, 405);
    }

    // --- listing --------------------------------------------------------------------------------------------

    private void catalog(Exchange exchange) {
        Page<RepositoryName> page = service.catalog(intParam(exchange, "n"), exchange.query("last"));
        Map<String, Object> headers = new LinkedHashMap<>();
        page.next().ifPresent(last -> headers.put("Link", nextLink("/v2/_catalog", exchange, last)));
        exchange.sendJson(200, headers, Map.of("repositories", page.items().stream().map(RepositoryName::value).toList()));
    }

    private void tags(Exchange exchange, RepositoryName name) {
        Page<Tag> page = service.listTags(name, intParam(exchange, "n"), exchange.query("last"));
        Map<String, Object> headers = new LinkedHashMap<>();
        page.next().ifPresent(last -> headers.put("Link", nextLink("/v2/" + name + "/tags/list", exchange, last)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.value());
        body.put("tags", page.items().stream().map(Tag::value).toList());
        exchange.sendJson(200, headers, body);
    }

    private static String nextLink(String path, Exchange exchange, String last) {
        StringBuilder link = new StringBuilder("<").append(path).append("?");
        exchange.query("n").ifPresent(n -> link.append("n=").append(n).append("&"));
        link.append("last=").append(URLEncoder.encode(last, StandardCharsets.UTF_8)).append(">; rel=\"next\"");
        return link.toString();
    }

    private static Optional<Integer> intParam(Exchange exchange, String name) {
        Optional<String> value = exchange.query(name);
        if (value.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(value.get()));
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, name + " must be a non-negative integer",
                    Map.of(name, value.get()));
        }
    }

    private void referrers(Exchange exchange, RepositoryName name, Digest subject) {
        Optional<String> artifactType = exchange.query("artifactType");
        List<Descriptor> found = service.referrers(name, subject, artifactType);
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Descriptor d : found) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mediaType", d.mediaType());
            m.put("digest", d.digest().toString());
            m.put("size", d.size());
            if (d.artifactType() != null) m.put("artifactType", d.artifactType());
            if (!d.annotations().isEmpty()) m.put("annotations", d.annotations());
            manifests.add(m);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        Map<String, Object> headers = new LinkedHashMap<>();
        if (artifactType.isPresent()) headers.put("OCI-Filters-Applied", "artifactType");
        try {
            exchange.sendBytes(200, headers, MediaTypes.OCI_INDEX, Exchange.JSON.writeValueAsBytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- manifests ------------------------------------------------------------------------------------------

    private void manifest(Exchange exchange, RepositoryName name, Reference reference) {
        switch (exchange.method().name()) {
            case "GET", "HEAD" -> getManifest(exchange, name, reference);
            case "PUT" -> putManifest(exchange, name, reference);
            case "DELETE" -> {
                Digest deleted = service.deleteManifest(name, reference);
                exchange.manifestDigest(deleted);
                exchange.sendEmpty(202, Map.of());
                events.publish(RegistryEvent.deleted(name, deleted, reference.asTag().orElse(null), actor(exchange)));
            }
            default -> throw methodNotAllowed(exchange.method());
        }
    }

    private void getManifest(Exchange exchange, RepositoryName name, Reference reference) {
        answerManifest(exchange, name, reference, exchange.method().name().equals("HEAD")
                ? service.headManifest(name, reference) : service.getManifest(name, reference));
    }

    /** A GET is a pull, noted before the answer leaves: a client holding its answer never finds the pull unrecorded. */
    private void answerManifest(Exchange exchange, RepositoryName name, Reference reference, ManifestRecord manifest) {
        requireAccepted(exchange, name, reference, manifest);
        exchange.manifestDigest(manifest.digest());
        if (exchange.method().name().equals("GET")) pulled(exchange, name, reference, manifest);
        sendManifest(exchange, manifest);
    }

    private void pulled(Exchange exchange, RepositoryName name, Reference reference, ManifestRecord manifest) {
        service.pulled(name, manifest.digest());
        events.publish(RegistryEvent.pulled(name, manifest.digest(), reference.asTag().orElse(null), manifest.mediaType(),
                actor(exchange)));
    }

    private static String actor(Exchange exchange) {
        return switch (exchange.principal()) {
            case dev.stowage.core.access.Principal.User user -> user.username();
            case dev.stowage.core.access.Principal.Robot robot -> robot.name();
            case null, default -> null;
        };
    }

    private static void requireAccepted(Exchange exchange, RepositoryName name, Reference reference, ManifestRecord manifest) {
        if (!accepts(exchange.headers().getAll(HttpHeaderNames.ACCEPT), manifest.mediaType())) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + name + ":" + reference + " is "
                    + manifest.mediaType() + ", which the Accept header does not include",
                    Map.of("mediaType", manifest.mediaType()), 404);
        }
    }

    private static void sendManifest(Exchange exchange, ManifestRecord manifest) {
        String digest = manifest.digest().toString();
        exchange.sendBytes(200, headersOf("Docker-Content-Digest", digest, "ETag", "\"" + digest + "\""),
                manifest.mediaType(), manifest.payload());
    }

    /**
     * Accept negotiation: a client that lists manifest media types gets only one of those; a client that lists
     * none (no header, {@code *}{@code /*}, plain JSON) gets whatever is stored.
     */
    static boolean accepts(List<String> acceptHeaders, String mediaType) {
        if (acceptHeaders.isEmpty()) return true;
        boolean listsManifestTypes = false;
        for (String part : String.join(",", acceptHeaders).split(",")) {
            String type = part.split(";", 2)[0].trim().toLowerCase();
            if (type.equals(mediaType) || type.equals("*/*") || type.equals("application/*")) return true;
            if (MediaTypes.MANIFESTS.contains(type) || MediaTypes.isSchema1(type)) listsManifestTypes = true;
        }
        return !listsManifestTypes;
    }

    private void putManifest(Exchange exchange, RepositoryName name, Reference reference) {
        long limit = service.settings().maxManifestBytes();
        if (exchange.body().declaredLength() > limit) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "manifest exceeds the limit of " + limit + " bytes",
                    null, 413);
        }
        byte[] payload;
        try {
            payload = exchange.body().readFully((int) limit, () -> {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "manifest exceeds the limit of " + limit + " bytes",
                        null, 413);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PutManifestResult result = service.putManifest(name, reference,
                exchange.header(HttpHeaderNames.CONTENT_TYPE).orElse(null), payload);
        exchange.manifestDigest(result.digest());
        Map<String, Object> headers = headersOf(
                "Location", "/v2/" + name + "/manifests/" + result.digest(),
                "Docker-Content-Digest", result.digest().toString());
        result.subject().ifPresent(subject -> headers.put("OCI-Subject", subject.toString()));
        exchange.sendEmpty(201, headers);
        events.publish(RegistryEvent.pushed(name, result.digest(), reference.asTag().orElse(null),
                exchange.header(HttpHeaderNames.CONTENT_TYPE).orElse(null), actor(exchange)));
    }

    // --- blobs ----------------------------------------------------------------------------------------------

    private void blob(Exchange exchange, RepositoryName name, Digest digest) throws RegistryException {
        switch (exchange.method().name()) {
            case "HEAD" -> {
                BlobRecord blob = service.statBlob(name, digest);
                exchange.sendHeadersOnly(200, blobHeaders(digest), "application/octet-stream", blob.size());
            }
            case "GET" -> getBlob(exchange, name, digest);
            case "DELETE" -> {
                service.deleteBlob(name, digest);
                exchange.sendEmpty(202, Map.of());
            }
            default -> throw methodNotAllowed(exchange.method());
        }
    }

    private static Map<String, Object> blobHeaders(Digest digest) {
        return headersOf("Docker-Content-Digest", digest.toString(), "ETag", "\"" + digest + "\"",
                "Accept-Ranges", "bytes", "Cache-Control", "max-age=31536000");
    }

    private void getBlob(Exchange exchange, RepositoryName name, Digest digest) {
        BlobContent content = service.openBlob(name, digest);
        long size = content.size();
        long offset = 0;
        long length = size;
        int status = 200;
        Map<String, Object> headers = blobHeaders(digest);
        Optional<String> range = exchange.header(HttpHeaderNames.RANGE);
        if (range.isPresent()) {
            long[] span = parseRange(range.get(), size);
            if (span != null) {
                offset = span[0];
                length = span[1] - span[0] + 1;
                status = 206;
                headers.put("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + size);
            }
        }
        try {
            if (content.localFile().isPresent()) {
                exchange.sendFile(status, headers, content.localFile().get(), offset, length);
            } else {
                try (InputStream in = content.openStream(offset, length)) {
                    exchange.sendBytes(status, headers, "application/octet-stream", in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A single byte range as [first, last], null for a header to ignore (multiple ranges: the whole blob is
     * sent, as RFC 9110 allows); 416 for a range that lies outside the blob.
     */
    static long[] parseRange(String header, long size) {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches()) return null;
        String first = m.group(1);
        String last = m.group(2);
        if (first.isEmpty() && last.isEmpty()) return null;
        long start;
        long end;
        if (first.isEmpty()) {
            // RFC 9110 14.1.2: a suffix longer than the representation selects all of it, however long.
            long suffix = saturated(last);
            if (suffix == 0) throw unsatisfiable(size);
            start = Math.max(0, size - suffix);
            end = size - 1;
        } else {
            start = saturated(first);
            long lastByte = last.isEmpty() ? Long.MAX_VALUE : saturated(last);
            if (lastByte < start) return null; // not a valid range: ignored, the whole blob is sent
            end = Math.min(lastByte, size - 1);
        }
        if (start >= size) throw unsatisfiable(size);
        return new long[] {start, end};
    }

    /** A run of digits as a long, Long.MAX_VALUE when it does not fit (any such position lies past every blob). */
    private static long saturated(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static RegistryException unsatisfiable(long size) {
        return new RegistryException(ErrorCode.RANGE_INVALID, "requested range not satisfiable for a blob of "
                + size + " bytes", Map.of("size", size), 416);
    }

    // --- uploads --------------------------------------------------------------------------------------------

    private void startUpload(Exchange exchange, RepositoryName name) {
        Optional<String> mount = exchange.query("mount");
        Optional<String> digest = exchange.query("digest");
        if (mount.isPresent()) {
            Digest mountDigest = Digest.parse(mount.get());
            exchange.body().discard();
            Optional<String> fromText = exchange.query("from");
            Optional<RepositoryName> from = fromText.flatMap(RegistryApi::validName);
            if (fromText.isPresent() && from.isEmpty()) {
                // As Distribution does: a source that cannot be named is ignored, and the client uploads.
                sendUploadAccepted(exchange, service.startUpload(name), 202);
                return;
            }
            MountResult result = service.mount(name, mountDigest, from, source -> mayPull(exchange, source));
            if (result.mounted().isPresent()) {
                exchange.sendEmpty(201, headersOf("Location", "/v2/" + name + "/blobs/" + mountDigest,
                        "Docker-Content-Digest", mountDigest.toString()));
            } else {
                sendUploadAccepted(exchange, result.upload().orElseThrow(), 202);
            }
        } else if (digest.isPresent()) {
            Digest expected = Digest.parse(digest.get());
            BlobRecord blob = service.uploadMonolithic(name, expected, exchange.body());
            sendBlobCreated(exchange, name, blob.digest());
        } else {
            exchange.body().discard();
            sendUploadAccepted(exchange, service.startUpload(name), 202);
        }
    }

    private static Optional<RepositoryName> validName(String text) {
        try {
            return Optional.of(RepositoryName.of(text));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this request's caller may pull {@code source}: the same access check a pull of it would pass, with the
     * same credentials (so a registry token must carry pull on it). A refusal is only an answer here, not an error
     * of this request.
     */
    private boolean mayPull(Exchange exchange, RepositoryName source) {
        try {
            access.authorize(AccessRequest.forRegistry(exchange.header(HttpHeaderNames.AUTHORIZATION),
                    exchange.clientAddress(), Action.PULL, Optional.of(source), exchange.host(),
                    exchange.secure()));
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private void upload(Exchange exchange, RepositoryName name, String uploadId) {
        switch (exchange.method().name()) {
            case "GET" -> sendUploadAccepted(exchange, service.uploadStatus(name, uploadId), 204);
            case "PATCH" -> {
                OptionalLong start = contentRangeStart(exchange);
                sendUploadAccepted(exchange, service.appendChunk(name, uploadId, start, exchange.body()), 202);
            }
            case "PUT" -> {
                Digest digest = Digest.parse(exchange.query("digest").orElseThrow(() -> new RegistryException(
                        ErrorCode.DIGEST_INVALID, "the digest query parameter is required to complete an upload")));
                OptionalLong start = contentRangeStart(exchange);
                BlobRecord blob = service.completeUpload(name, uploadId, digest, start, exchange.body());
                sendBlobCreated(exchange, name, blob.digest());
            }
            case "DELETE" -> {
                service.cancelUpload(name, uploadId);
                exchange.sendEmpty(204, Map.of());
            }
            default -> throw methodNotAllowed(exchange.method());
        }
    }

    /** Content-Range of a chunk: its start, checked against Content-Length when both are given. */
    private static OptionalLong contentRangeStart(Exchange exchange) {
        Optional<String> header = exchange.header(HttpHeaderNames.CONTENT_RANGE);
        if (header.isEmpty()) return OptionalLong.empty();
        return OptionalLong.of(chunkStart(header.get(), exchange.body().declaredLength()));
    }

    /** The start of a chunk's {@code Content-Range}; 416 when malformed or not {@code declaredLength} (-1: unknown) long. */
    static long chunkStart(String header, long declaredLength) {
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "malformed Content-Range: " + header, null, 416);
        }
        long start;
        long end;
        try {
            start = Long.parseLong(m.group(1));
            end = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "malformed Content-Range: " + header, null, 416);
        }
        if (end < start || (declaredLength >= 0 && end - start + 1 != declaredLength)) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range " + header
                    + " does not match Content-Length " + declaredLength, null, 416);
        }
        return start;
    }

    private static void sendUploadAccepted(Exchange exchange, UploadStatus upload, int status) {
        long end = upload.offset() > 0 ? upload.offset() - 1 : 0;
        exchange.sendEmpty(status, headersOf(
                "Location", "/v2/" + upload.repository() + "/blobs/uploads/" + upload.id(),
                "Range", "0-" + end,
                "Docker-Upload-UUID", upload.id()));
    }

    private static void sendBlobCreated(Exchange exchange, RepositoryName name, Digest digest) {
        exchange.sendEmpty(201, headersOf("Location", "/v2/" + name + "/blobs/" + digest,
                "Docker-Content-Digest", digest.toString()));
    }
}
