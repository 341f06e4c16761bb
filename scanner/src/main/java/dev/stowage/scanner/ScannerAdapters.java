package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.scanning.external.AdapterAuthentication;
import dev.stowage.scanning.external.AdapterMetadata;
import dev.stowage.scanning.external.HarborMediaTypes;
import dev.stowage.scanning.external.HarborReport;
import dev.stowage.scanning.external.RegistryCredential;
import dev.stowage.scanning.external.ScanTarget;
import dev.stowage.scanning.external.ScannerAdapterClient;
import dev.stowage.scanning.external.ScannerAdapterException;
import dev.stowage.scanning.external.ScannerAdapterRegistration;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * External scanners: Harbor pluggable scanner adapters (API v1.1) that system administrators register, the default
 * scanner and each project's own choice, and one scan through an adapter (a pull-only credential for the image's
 * repository, the scan request, the report polled until a deadline). The built-in scanner is named {@link #BUILT_IN}.
 */
public final class ScannerAdapters {
    public static final String BUILT_IN = "stowage";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final int MAX_DESCRIPTION = 1024;

    /**
     * @param registryUrl where adapters reach this registry's {@code /v2/} API to pull what they scan
     * @param timeout     how long a scan through an adapter may take, request to report; also the pull credential's
     *                    lifetime
     */
    public record Settings(ScannerAdapterClient.Settings client, URI registryUrl, Duration timeout) {}

    private final ScannerAdapterStore store;
    private final Settings settings;
    private final PullCredentials credentials;
    private final Clock clock;

    public ScannerAdapters(ScannerAdapterStore store, Settings settings, PullCredentials credentials, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.credentials = credentials;
        this.clock = clock;
    }

    public ScannerAdapterStore store() {
        return store;
    }

    // --- registrations -----------------------------------------------------------------------------------

    public List<ScannerAdapterStore.StoredAdapter> adapters() {
        return store.adapters();
    }

    /** A registered adapter, or 404. The built-in scanner is not one. */
    public ScannerAdapterStore.StoredAdapter adapter(String name) {
        return store.adapter(name).orElseThrow(() -> unknown(name));
    }

    public ScannerAdapterStore.StoredAdapter register(String name, URI url, AdapterAuthentication auth,
                                                      boolean skipTlsVerify, String description) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw badInput("name must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or "
                    + "digit, e.g. trivy");
        }
        if (name.equals(BUILT_IN)) throw badInput("'" + BUILT_IN + "' is the built-in scanner's name; choose another");
        ScannerAdapterRegistration registration = registration(name, url, auth, skipTlsVerify);
        Instant now = clock.instant();
        ScannerAdapterStore.StoredAdapter adapter = new ScannerAdapterStore.StoredAdapter(registration,
                description(description), now, now);
        if (!store.add(adapter)) {
            throw new RegistryException(ErrorCode.CONFLICT, "a scanner named '" + name + "' is already registered",
                    Map.of("name", name));
        }
        return adapter;
    }

    /** Changes what is given, keeps the rest (a new authentication scheme other than none needs its secret). */
    public ScannerAdapterStore.StoredAdapter update(String name, Optional<URI> url, Optional<AdapterAuthentication> auth,
                                                    Optional<Boolean> skipTlsVerify, Optional<String> description) {
        ScannerAdapterStore.StoredAdapter current = adapter(name);
        ScannerAdapterRegistration was = current.registration();
        ScannerAdapterRegistration registration = registration(name, url.orElse(was.url()), auth.orElse(was.auth()),
                skipTlsVerify.orElse(was.skipTlsVerify()));
        ScannerAdapterStore.StoredAdapter changed = new ScannerAdapterStore.StoredAdapter(registration,
                description.map(ScannerAdapters::description).orElse(current.description()), current.createdAt(),
                clock.instant());
        if (!store.update(changed)) throw unknown(name);
        return changed;
    }

    private ScannerAdapterRegistration registration(String name, URI url, AdapterAuthentication auth,
                                                    boolean skipTlsVerify) {
        if (skipTlsVerify && !settings.client().allowSkipTlsVerify()) {
            throw badInput("skipTlsVerify is not allowed on this registry: it would hand pull credentials to whoever "
                    + "answers at the adapter's address; give the adapter a certificate this server trusts (or an "
                    + "operator sets scanning.adapterSkipTlsVerify: true)");
        }
        try {
            return new ScannerAdapterRegistration(name, url, auth, skipTlsVerify);
        } catch (IllegalArgumentException e) {
            throw badInput(e.getMessage());
        }
    }

    public void delete(String name) {
        switch (store.delete(name)) {
            case DELETED -> { }
            case UNKNOWN -> throw unknown(name);
            case IS_DEFAULT -> throw new RegistryException(ErrorCode.CONFLICT, "scanner '" + name + "' is the default "
                    + "scanner; make another the default first (PUT /api/v1/scanners/" + BUILT_IN + "/default)",
                    Map.of("name", name));
            case CHOSEN_BY_PROJECTS -> throw new RegistryException(ErrorCode.CONFLICT, "scanner '" + name
                    + "' is chosen by projects " + store.projectsChoosing(name) + "; choose another scanner for them "
                    + "first (PUT /api/v1/projects/{project}/scanner)", Map.of("name", name));
        }
    }

    /** The built-in scanner's name or an adapter's: it scans every project that does not name its own. */
    public void makeDefault(String name) {
        if (!store.setDefault(name)) throw unknown(name);
    }

    public String defaultScanner() {
        return store.defaultScanner();
    }

    /** A project's own scanner (empty: back to the default). */
    public void chooseForProject(String project, Optional<String> name) {
        if (!store.setProjectScanner(project, name, clock.instant())) throw unknown(name.orElseThrow());
    }

    /** The scanner a project uses: its own choice, else the default. */
    public record Choice(String scanner, boolean projectsOwn) {}

    public Choice scannerOf(String project) {
        return store.projectScanner(project).map(s -> new Choice(s, true))
                .orElseGet(() -> new Choice(store.defaultScanner(), false));
    }

    /**
     * The adapter that scans a project's images, empty for the built-in scanner. A chosen adapter that is gone fails the
     * scan (it is not silently done by another scanner).
     */
    public Optional<ScannerAdapterRegistration> adapterFor(String project) {
        String name = scannerOf(project).scanner();
        if (name.equals(BUILT_IN)) return Optional.empty();
        return Optional.of(store.adapter(name).orElseThrow(() -> new AdapterScanFailed("scanner '" + name
                + "' chosen for project " + project + " is not registered", false)).registration());
    }

    // --- talking to adapters -----------------------------------------------------------------------------

    /** What an adapter says about itself, or 404/502/422 (unknown, unreachable or broken, cannot scan images). */
    public AdapterMetadata ping(String name) {
        if (name.equals(BUILT_IN)) return builtInMetadata();
        ScannerAdapterRegistration registration = adapter(name).registration();
        AdapterMetadata metadata;
        try (ScannerAdapterClient client = client(registration)) {
            metadata = client.metadata();
        } catch (ScannerAdapterException e) {
            throw new RegistryException(ErrorCode.UNAVAILABLE, e.getMessage(), Map.of("name", name), 502);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(ErrorCode.UNAVAILABLE, "interrupted", Map.of("name", name), 503);
        }
        if (!metadata.canScan(HarborMediaTypes.OCI_MANIFEST) && !metadata.canScan(HarborMediaTypes.DOCKER_MANIFEST)) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "scanner adapter '" + name + "' (" + metadata.name() + " "
                    + metadata.version() + ") cannot scan OCI or Docker image manifests into a vulnerability report ("
                    + HarborMediaTypes.VULNERABILITY_REPORT + ")", Map.of("name", name), 422);
        }
        return metadata;
    }

    private static AdapterMetadata builtInMetadata() {
        return new AdapterMetadata(BUILT_IN, "Stowage", "built-in", List.of(new AdapterMetadata.Capability(
                List.of(HarborMediaTypes.OCI_MANIFEST, HarborMediaTypes.DOCKER_MANIFEST,
                        "application/vnd.oci.image.index.v1+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json"),
                List.of(HarborMediaTypes.VULNERABILITY_REPORT))), Map.of());
    }

    /**
     * Scans one image manifest through the adapter: it pulls {@code repository@digest} from the registry URL with a
     * pull-only credential for that repository, and its report is polled until the deadline.
     */
    public HarborReport scan(ScannerAdapterRegistration registration, RepositoryName repository, Digest digest,
                             String mediaType) {
        Optional<RegistryCredential> credential = credentials.pullOnly(registration.name(), repository,
                settings.timeout());
        ScanTarget target = new ScanTarget(settings.registryUrl(), repository.value(), digest.toString(),
                Optional.empty(), mediaType);
        try (ScannerAdapterClient client = client(registration)) {
            return client.scan(target, credential.orElse(null), clock.instant().plus(settings.timeout()));
        } catch (ScannerAdapterException e) {
            throw new AdapterScanFailed(e.getMessage(), e.reason() == ScannerAdapterException.Reason.UNREACHABLE);
        } catch (IllegalArgumentException e) {
            throw new AdapterScanFailed("scanner adapter '" + registration.name() + "': " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterScanFailed("scan through '" + registration.name() + "' interrupted", true);
        }
    }

    private ScannerAdapterClient client(ScannerAdapterRegistration registration) {
        try {
            return new ScannerAdapterClient(registration, settings.client());
        } catch (IllegalArgumentException e) {
            // registered while skipping TLS verification was allowed, no longer allowed now
            throw badInput(e.getMessage());
        }
    }

    /** An authentication as the API names it: none, basic (secret user:password), bearer or apikey. */
    public static AdapterAuthentication authentication(String type, String secret) {
        String t = type == null ? "none" : type.trim().toLowerCase(Locale.ROOT);
        AdapterAuthentication.Scheme scheme = switch (t) {
            case "none", "" -> AdapterAuthentication.Scheme.NONE;
            case "basic" -> AdapterAuthentication.Scheme.BASIC;
            case "bearer" -> AdapterAuthentication.Scheme.BEARER;
            case "apikey", "api_key", "x-scanneradapter-api-key" -> AdapterAuthentication.Scheme.API_KEY;
            default -> throw badInput("auth must be none, basic, bearer or apikey, not '" + type + "'");
        };
        if (scheme == AdapterAuthentication.Scheme.NONE && secret != null && !secret.isEmpty()) {
            throw badInput("a secret needs auth basic, bearer or apikey");
        }
        try {
            return new AdapterAuthentication(scheme, scheme == AdapterAuthentication.Scheme.NONE ? "" : secret);
        } catch (IllegalArgumentException e) {
            throw badInput(e.getMessage());
        }
    }

    /** The API's name of an authentication scheme. */
    public static String authName(AdapterAuthentication.Scheme scheme) {
        return switch (scheme) {
            case NONE -> "none";
            case BASIC -> "basic";
            case BEARER -> "bearer";
            case API_KEY -> "apikey";
        };
    }

    private static String description(String description) {
        String d = description == null ? "" : description;
        if (d.length() > MAX_DESCRIPTION) throw badInput("description is limited to " + MAX_DESCRIPTION + " characters");
        return d;
    }

    private static RegistryException unknown(String name) {
        return new RegistryException(ErrorCode.NOT_FOUND, "no scanner named '" + name + "' (GET /api/v1/scanners lists "
                + "them)", Map.of("name", name == null ? "" : name));
    }

    private static RegistryException badInput(String message) {
        return dev.stowage.server.AdminCall.badInput(message);
    }
}
