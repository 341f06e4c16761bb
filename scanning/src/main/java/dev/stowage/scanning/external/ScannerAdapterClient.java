package dev.stowage.scanning.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of one scanner adapter through Harbor's pluggable scanner adapter API v1.1: {@link #metadata()},
 * {@link #requestScan}, {@link #fetchReport} and, polling that until the report is ready, {@link #awaitReport} and
 * {@link #scan}.
 * <p>
 * Every exchange is bounded: a connect timeout, a timeout for the whole exchange (headers and body), a size bound for
 * bodies, and a deadline for polling. Redirects are never followed (302 is the spec's "report not ready yet", and
 * following one would hand the adapter's credentials elsewhere).
 */
public final class ScannerAdapterClient implements AutoCloseable {
    private static final String API = "/api/v1";
    private static final String METADATA_V1_1 = "application/vnd.scanner.adapter.metadata+json; version=1.1";
    private static final int MAX_SCAN_ID_LENGTH = 256;
    private static final long MAX_BODY = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param connectTimeout      for the TCP/TLS connection
     * @param requestTimeout      for one whole exchange, body included
     * @param maxReportBytes      bound of a report body (reports of big images are megabytes)
     * @param maxResponseBytes    bound of every other body
     * @param minimumPollInterval the shortest wait between report polls, whatever {@code Refresh-After} says
     * @param maximumPollInterval the longest
     * @param defaultPollInterval when a 302 has no usable {@code Refresh-After}
     * @param allowSkipTlsVerify  whether registrations with {@code skipTlsVerify} are accepted (operator's choice)
     */
    public record Settings(Duration connectTimeout, Duration requestTimeout, long maxReportBytes, long maxResponseBytes,
                           Duration minimumPollInterval, Duration maximumPollInterval, Duration defaultPollInterval,
                           boolean allowSkipTlsVerify) {
        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(minimumPollInterval, "minimumPollInterval");
            Objects.requireNonNull(maximumPollInterval, "maximumPollInterval");
            Objects.requireNonNull(defaultPollInterval, "defaultPollInterval");
            if (maxReportBytes <= 0 || maxResponseBytes <= 0 || maxReportBytes > MAX_BODY || maxResponseBytes > MAX_BODY) {
                throw new IllegalArgumentException("size bounds must be between 1 byte and 1 GiB");
            }
            if (maximumPollInterval.compareTo(minimumPollInterval) < 0) {
                throw new IllegalArgumentException("maximumPollInterval must not be below minimumPollInterval");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), 64L << 20, 1L << 20,
                    Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(5), false);
        }

        public Settings withAllowSkipTlsVerify(boolean allow) {
            return new Settings(connectTimeout, requestTimeout, maxReportBytes, maxResponseBytes, minimumPollInterval,
                    maximumPollInterval, defaultPollInterval, allow);
        }
    }

    /** Waits between polls; tests give one that only advances their clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final ScannerAdapterRegistration registration;
    private final Settings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpClient http;

    public ScannerAdapterClient(ScannerAdapterRegistration registration, Settings settings) {
        this(registration, settings, Clock.systemUTC(), Thread::sleep);
    }

    public ScannerAdapterClient(ScannerAdapterRegistration registration, Settings settings, Clock clock,
                                Sleeper sleeper) {
        this.registration = Objects.requireNonNull(registration, "registration");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        if (registration.skipTlsVerify() && !settings.allowSkipTlsVerify()) {
            throw new IllegalArgumentException("scanner adapter '" + registration.name() + "' asks to skip TLS"
                    + " verification, which is not allowed: give the adapter a trusted certificate, or allow it"
                    + " explicitly in the scanning settings");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (registration.skipTlsVerify()) builder.sslContext(trustingEveryone());
        this.http = builder.build();
    }

    public ScannerAdapterRegistration registration() {
        return registration;
    }

    /** {@code GET /api/v1/metadata}: the scanner and its capabilities. */
    public AdapterMetadata metadata() throws ScannerAdapterException, InterruptedException {
        Response response = exchange("metadata", request("/metadata")
                .header("Accept", HarborMediaTypes.METADATA + ", " + HarborMediaTypes.ERROR).GET(), settings.maxResponseBytes());
        if (response.status() != 200) throw failure("metadata", response);
        requireType(response, "metadata", HarborMediaTypes.METADATA, METADATA_V1_1);
        JsonNode root = json(response, "metadata");
        JsonNode scanner = root.path("scanner");
        JsonNode capabilities = root.path("capabilities");
        if (!scanner.isObject() || !capabilities.isArray()) {
            throw protocol("metadata", response.status(), "has no scanner object or capabilities array");
        }
        List<AdapterMetadata.Capability> parsed = new ArrayList<>();
        for (JsonNode capability : capabilities) {
            JsonNode consumes = capability.path("consumes_mime_types");
            JsonNode produces = capability.path("produces_mime_types");
            if (!consumes.isArray() || !produces.isArray()) {
                throw protocol("metadata", response.status(),
                        "has a capability without consumes_mime_types or produces_mime_types");
            }
            parsed.add(new AdapterMetadata.Capability(strings(consumes), strings(produces)));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        root.path("properties").properties().forEach(e -> properties.put(e.getKey(), e.getValue().asText()));
        return new AdapterMetadata(scanner.path("name").asText(""), scanner.path("vendor").asText(""),
                scanner.path("version").asText(""), parsed, properties);
    }

    /**
     * {@code POST /api/v1/scan}: asks the adapter to scan the target, pulling it with the given credential (Stowage
     * gives a short-lived, pull-only token; null where the registry needs none). Returns the scan request id to poll the
     * report with.
     */
    public String requestScan(ScanTarget target, RegistryCredential credential)
            throws ScannerAdapterException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode registry = body.putObject("registry");
        registry.put("url", target.registryUrl().toString());
        // null: the registry needs none (access control off); the spec makes the field optional
        if (credential != null) registry.put("authorization", credential.authorization());
        ObjectNode artifact = body.putObject("artifact");
        artifact.put("repository", target.repository());
        artifact.put("digest", target.digest());
        target.tag().ifPresent(tag -> artifact.put("tag", tag));
        artifact.put("mime_type", target.mediaType());
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a scan request is always serialisable", e);
        }
        Response response = exchange("scan request", request("/scan")
                .header("Content-Type", HarborMediaTypes.SCAN_REQUEST)
                .header("Accept", HarborMediaTypes.SCAN_RESPONSE + ", " + HarborMediaTypes.ERROR)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), settings.maxResponseBytes());
        if (response.status() != 202) throw failure("scan request", response);
        requireType(response, "scan request", HarborMediaTypes.SCAN_RESPONSE);
        String id = json(response, "scan request").path("id").asText("");
        if (id.isBlank() || id.length() > MAX_SCAN_ID_LENGTH) {
            throw protocol("scan request", response.status(), "has no usable id");
        }
        return id;
    }

    /** {@code GET /api/v1/scan/{id}/report}, once. */
    public ReportPoll fetchReport(String scanRequestId) throws ScannerAdapterException, InterruptedException {
        Response response = exchange("report", request("/scan/" + pathSegment(scanRequestId) + "/report")
                .header("Accept", HarborMediaTypes.VULNERABILITY_REPORT + ", " + HarborMediaTypes.ERROR).GET(),
                settings.maxReportBytes());
        return switch (response.status()) {
            case 200 -> {
                requireType(response, "report", HarborMediaTypes.VULNERABILITY_REPORT);
                yield new ReportPoll.Ready(report(json(response, "report")));
            }
            case 302 -> new ReportPoll.Pending(pollInterval(response.headers()));
            case 404 -> throw new ScannerAdapterException(ScannerAdapterException.Reason.UNKNOWN_SCAN, 404,
                    adapter() + " does not know scan request " + clean(scanRequestId));
            default -> throw failure("report", response);
        };
    }

    /** Polls the report until it is ready, waiting as the adapter asks (within the settings' bounds). */
    public HarborReport awaitReport(String scanRequestId, Instant deadline)
            throws ScannerAdapterException, InterruptedException {
        while (true) {
            ReportPoll poll = fetchReport(scanRequestId);
            if (poll instanceof ReportPoll.Ready ready) return ready.report();
            Duration wait = ((ReportPoll.Pending) poll).retryAfter();
            if (clock.instant().plus(wait).isAfter(deadline)) {
                throw new ScannerAdapterException(ScannerAdapterException.Reason.TIMED_OUT, 0,
                        adapter() + " had no report for scan request " + clean(scanRequestId) + " by " + deadline);
            }
            sleeper.sleep(wait);
        }
    }

    /**
     * Requests a scan and waits for its report. The report must be about the requested digest when it names one.
     */
    public HarborReport scan(ScanTarget target, RegistryCredential credential, Instant deadline)
            throws ScannerAdapterException, InterruptedException {
        String id = requestScan(target, credential);
        HarborReport report = awaitReport(id, deadline);
        if (!report.artifactDigest().isEmpty() && !report.artifactDigest().equals(target.digest())) {
            throw protocol("report", 200, "is about " + clean(report.artifactDigest()) + ", not " + target.digest());
        }
        return report;
    }

    @Override
    public void close() {
        http.close();
    }

    private HarborReport report(JsonNode root) throws ScannerAdapterException {
        List<HarborReport.Vulnerability> vulnerabilities = new ArrayList<>();
        JsonNode items = root.path("vulnerabilities");
        if (!items.isMissingNode() && !items.isNull() && !items.isArray()) {
            throw protocol("report", 200, "has vulnerabilities that are not an array");
        }
        int index = 0;
        for (JsonNode item : items) {
            String id = item.path("id").asText("");
            String pkg = item.path("package").asText("");
            if (id.isBlank() || pkg.isBlank()) {
                throw protocol("report", 200, "has vulnerability #" + index + " without id or package");
            }
            JsonNode cvss = item.path("preferred_cvss");
            vulnerabilities.add(new HarborReport.Vulnerability(id, pkg, item.path("version").asText(""),
                    text(item.path("fix_version")), item.path("severity").asText("Unknown"),
                    item.path("description").asText(""), strings(item.path("links")),
                    number(cvss.path("score_v3")), text(cvss.path("vector_v3")),
                    number(cvss.path("score_v2")), text(cvss.path("vector_v2")),
                    text(item.path("purl")), text(item.path("layer").path("digest"))));
            index++;
        }
        JsonNode scanner = root.path("scanner");
        JsonNode artifact = root.path("artifact");
        return new HarborReport(instant(root.path("generated_at")), scanner.path("name").asText(""),
                scanner.path("vendor").asText(""), scanner.path("version").asText(""),
                artifact.path("repository").asText(""), artifact.path("digest").asText(""), vulnerabilities);
    }

    private Duration pollInterval(HttpHeaders headers) {
        Duration asked = headers.firstValue("Refresh-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
            } catch (NumberFormatException | ArithmeticException e) {
                return Optional.empty();
            }
        }).orElse(settings.defaultPollInterval());
        if (asked.compareTo(settings.minimumPollInterval()) < 0) return settings.minimumPollInterval();
        if (asked.compareTo(settings.maximumPollInterval()) > 0) return settings.maximumPollInterval();
        return asked;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(registration.endpoint(API + path))
                .timeout(settings.requestTimeout());
        registration.auth().header().ifPresent(h -> builder.header(h[0], h[1]));
        return builder;
    }

    private Response exchange(String operation, HttpRequest.Builder request, long maxBytes)
            throws ScannerAdapterException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> future =
                http.sendAsync(request.build(), info -> new BoundedBody(maxBytes));
        try {
            HttpResponse<byte[]> response = future.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ScannerAdapterException(ScannerAdapterException.Reason.UNREACHABLE, 0,
                    adapter() + " gave no complete " + operation + " answer within " + settings.requestTimeout());
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BodyTooLarge) {
                throw new ScannerAdapterException(ScannerAdapterException.Reason.RESPONSE_TOO_LARGE, 0,
                        adapter() + " sent a " + operation + " answer over " + maxBytes + " bytes");
            }
            String why = cause instanceof HttpTimeoutException ? "timed out"
                    : cause.getMessage() == null ? cause.getClass().getSimpleName() : clean(cause.getMessage());
            throw new ScannerAdapterException(ScannerAdapterException.Reason.UNREACHABLE, 0,
                    adapter() + " could not be reached for " + operation + ": " + why, cause);
        }
    }

    private ScannerAdapterException failure(String operation, Response response) {
        int status = response.status();
        if (status == 401 || status == 403) {
            return new ScannerAdapterException(ScannerAdapterException.Reason.UNAUTHORIZED, status,
                    adapter() + " refused Stowage's " + registration.auth().scheme().harborName()
                            + " authentication (" + status + ") for " + operation);
        }
        Optional<String> message = Optional.empty();
        if (HarborMediaTypes.same(response.contentType(), HarborMediaTypes.ERROR)) {
            try {
                message = text(JSON.readTree(response.body()).path("error").path("message"));
            } catch (IOException e) {
                message = Optional.empty();
            }
        }
        if (status == 400 || status == 422 || status == 500 || message.isPresent()) {
            return new ScannerAdapterException(ScannerAdapterException.Reason.ADAPTER_ERROR, status,
                    adapter() + " failed the " + operation + " with " + status + ": "
                            + message.map(ScannerAdapterClient::clean).orElse("(no error message)"));
        }
        return protocol(operation, status, "has status " + status + ", which the spec does not allow there");
    }

    private ScannerAdapterException protocol(String operation, int status, String what) {
        return new ScannerAdapterException(ScannerAdapterException.Reason.PROTOCOL_VIOLATION, status,
                adapter() + "'s " + operation + " answer " + what);
    }

    private String adapter() {
        return "scanner adapter '" + registration.name() + "' (" + registration.url() + ")";
    }

    private record Response(int status, HttpHeaders headers, byte[] body) {
        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    private void requireType(Response response, String operation, String... expected) throws ScannerAdapterException {
        for (String type : expected) {
            if (HarborMediaTypes.same(response.contentType(), type)) return;
        }
        throw protocol(operation, response.status(), "has Content-Type '" + clean(response.contentType())
                + "', expected '" + expected[0] + "'");
    }

    private JsonNode json(Response response, String operation) throws ScannerAdapterException {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node == null || !node.isObject()) throw protocol(operation, response.status(), "is not a JSON object");
            return node;
        } catch (IOException e) {
            throw protocol(operation, response.status(), "is not JSON");
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array.isArray()) array.forEach(v -> { if (v.isTextual()) values.add(v.asText()); });
        return values;
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static OptionalDouble number(JsonNode node) {
        return node.isNumber() ? OptionalDouble.of(node.asDouble()) : OptionalDouble.empty();
    }

    private static Optional<Instant> instant(JsonNode node) {
        if (!node.isTextual()) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What an adapter sends may end up in logs and API answers: printable, and short. */
    static String clean(String text) {
        String printable = text.replaceAll("\\p{Cntrl}", " ");
        return printable.length() > 300 ? printable.substring(0, 300) + "..." : printable;
    }

    private static String pathSegment(String id) {
        if (id == null || id.isBlank() || id.length() > MAX_SCAN_ID_LENGTH) {
            throw new IllegalArgumentException("not a scan request id: '" + id + "'");
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) encoded.append(c);
            else encoded.append('%').append(String.format("%02X", b & 0xff));
        }
        return encoded.toString();
    }

    private static SSLContext trustingEveryone() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is unavailable", e);
        }
    }

    /** Collects a body up to a bound and gives up (cancelling the exchange) beyond it. */
    private static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("response body over the size bound");
        }
    }

    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long maxBytes;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final List<ByteBuffer> received = new ArrayList<>();
        private long size;
        private Flow.Subscription subscription;

        BoundedBody(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) return;
            for (ByteBuffer buffer : buffers) {
                size += buffer.remaining();
                if (size > maxBytes) {
                    subscription.cancel();
                    received.clear();
                    result.completeExceptionally(new BodyTooLarge());
                    return;
                }
                received.add(buffer);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) return;
            byte[] body = new byte[(int) size];
            int offset = 0;
            for (ByteBuffer buffer : received) {
                int length = buffer.remaining();
                buffer.get(body, offset, length);
                offset += length;
            }
            result.complete(body);
        }

        @Override
        public CompletableFuture<byte[]> getBody() {
            return result;
        }
    }
}
