package dev.stowage.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.stowage.core.Durations;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import dev.stowage.core.access.Role;
import dev.stowage.identity.OidcSignIn;
import java.util.TreeMap;

/**
 * Stowage's configuration: defaults, overridden by a YAML file, overridden by {@code STOWAGE_<SECTION>_<KEY>}
 * environment variables (e.g. {@code STOWAGE_HTTP_PORT}, {@code STOWAGE_DATABASE_MAX_POOL_SIZE}).
 */
public record StowageConfig(Http http, Storage storage, Database database, Uploads uploads, Manifests manifests,
                            Delete delete, Auth auth, Tls tls, Network network, Audit audit, Oidc oidc, Gc gc,
                            Webhooks webhooks, Secrets secrets, Scanning scanning, Admission admission) {

    /**
     * Kubernetes admission webhooks: {@code registries} (comma-separated {@code host[:port]}) are the names under which
     * clusters reach this registry, so images naming them are checked (default: {@code http.publicAddress} when
     * set, else {@code localhost:<http.port>}, {@code 127.0.0.1:<http.port>} and this machine's host name with the port);
     * images of any other registry are denied unless it is in {@code allowedExternalRegistries} (admitted unchecked,
     * with a warning; Docker Hub is {@code docker.io}). {@code mode}: {@code enforce} denies, {@code audit} admits with
     * the denials as warnings. At most {@code maxImages} container images in one object are checked; more is denied.
     */
    public record Admission(String registries, String allowedExternalRegistries, String mode, int maxImages) {
        public java.util.Set<String> registryHosts(Http http) {
            java.util.Set<String> hosts = new java.util.LinkedHashSet<>(hostList(registries, "admission.registries"));
            if (!hosts.isEmpty()) return hosts;
            if (!http.publicAddress().isBlank()) {
                hosts.add(http.publicAddress().trim().toLowerCase(Locale.ROOT));
                return hosts;
            }
            hosts.add("localhost:" + http.port());
            hosts.add("127.0.0.1:" + http.port());
            try {
                hosts.add(java.net.InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT) + ":" + http.port());
            } catch (java.io.IOException e) {
                // no host name of its own: the loopback names above stay
            }
            return hosts;
        }

        public java.util.Set<String> externalRegistryHosts() {
            return new java.util.LinkedHashSet<>(hostList(allowedExternalRegistries, "admission.allowedExternalRegistries"));
        }

        public boolean enforce() {
            return switch (mode.trim().toLowerCase(Locale.ROOT)) {
                case "enforce" -> true;
                case "audit" -> false;
                default -> throw new ConfigException("admission.mode must be enforce or audit, not '" + mode + "'",
                        "audit admits every image and reports what enforce would deny, as warnings and in the audit trail");
            };
        }

        private static List<String> hostList(String text, String setting) {
            List<String> hosts = new ArrayList<>();
            for (String entry : text.split(",")) {
                String host = entry.trim().toLowerCase(Locale.ROOT);
                if (host.isEmpty()) continue;
                if (!host.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?|\\[[0-9a-f:]+\\](:[0-9]{1,5})?")) {
                    throw new ConfigException(setting + ": '" + entry.trim() + "' is not a registry host",
                            "write comma-separated host names with an optional port, as image references name them: "
                                    + "registry.example.com,registry.example.com:5000");
                }
                hosts.add(host);
            }
            return hosts;
        }
    }

    /**
     * Vulnerability scanning: {@code workers} scan threads (0 stops scanning on this node; queued scans wait for a node
     * with workers), the data's age after which it is called {@code staleAfter}, where {@code stowage vulndb update}
     * downloads from ({@code mirror}, {@code ecosystems}), the SBOM formats attached to scanned images, and the
     * registry address SBOMs name the image by (default: {@code localhost:<http.port>}). External scanners (Harbor
     * pluggable scanner adapters): the URL they pull images from ({@code adapterRegistryUrl}, default
     * {@code http(s)://localhost:<http.port>}), how long a scan through one may take ({@code adapterTimeout}, also the
     * lifetime of the pull-only credential it is given), and whether adapters may be registered with
     * {@code skipTlsVerify} ({@code adapterSkipTlsVerify}, default false).
     */
    public record Scanning(int workers, String staleAfter, String mirror, String ecosystems, String sbomFormats,
                           String adapterRegistryUrl, String adapterTimeout,
                           boolean adapterSkipTlsVerify) {
        public Duration staleAfterDuration() {
            return parseDuration(staleAfter, "scanning.staleAfter");
        }

        public List<String> ecosystemList() {
            return java.util.Arrays.stream(ecosystems.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
        }

        public List<dev.stowage.scanning.sbom.SbomFormat> sbomFormatList() {
            List<dev.stowage.scanning.sbom.SbomFormat> formats = new java.util.ArrayList<>();
            for (String f : sbomFormats.split(",")) {
                switch (f.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "" -> { }
                    case "cyclonedx" -> formats.add(dev.stowage.scanning.sbom.SbomFormat.CYCLONEDX_JSON);
                    case "spdx" -> formats.add(dev.stowage.scanning.sbom.SbomFormat.SPDX_JSON);
                    default -> throw new ConfigException("scanning.sbomFormats: '" + f.trim() + "' is not a format",
                            "write cyclonedx, spdx, both (cyclonedx,spdx) or nothing");
                }
            }
            return formats;
        }

        /** Where scanner adapters pull the images they scan from. */
        public java.net.URI adapterRegistryUrl(Http http, boolean tls) {
            String url = adapterRegistryUrl == null || adapterRegistryUrl.isBlank()
                    ? (tls ? "https" : "http") + "://localhost:" + http.port() : adapterRegistryUrl.trim();
            java.net.URI uri;
            try {
                uri = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
                throw new ConfigException("scanning.adapterRegistryUrl must be an http(s) URL of this registry as scanner "
                        + "adapters reach it, not '" + url + "'", "e.g. https://registry.example.com (no credentials)");
            }
            return uri;
        }

        /** How long a scan through an adapter may take; below the scan lease, so no other node takes the job meanwhile. */
        public Duration adapterTimeoutDuration() {
            Duration d = parseDuration(adapterTimeout, "scanning.adapterTimeout");
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(9)) > 0) {
                throw new ConfigException("scanning.adapterTimeout must be between 1s and 9m, not " + adapterTimeout,
                        "the default is 5m; a scan job's lease is 10m");
            }
            return d;
        }
    }

    /**
     * The key that seals the secrets kept in the database (signing keys, webhook and TOTP secrets): {@code key}
     * (base64 of 32 bytes; every node of one PostgreSQL database needs the same) or else the file {@code keyFile}
     * (default {@code <storage.path>/secret.key}, made on first start). Never printed.
     */
    public record Secrets(String keyFile, String key) {
        @Override
        public String toString() {
            return "Secrets[keyFile=" + keyFile + ", key=" + (key == null || key.isEmpty() ? "(none)" : "(set)") + "]";
        }
    }

    /**
     * Webhook targets: only public addresses, unless {@code allowedNetworks} (comma-separated CIDRs) lets deliveries
     * reach an internal network anyway (a receiver on the company network, or 127.0.0.1 for a local test).
     */
    public record Webhooks(String allowedNetworks) {}

    /**
     * Online garbage collection: {@code schedule} is a cron expression (5 fields, 6 with seconds, or @daily; empty:
     * only when asked), {@code untagged} also deletes manifests no tag names, {@code grace} protects pushes in flight.
     */
    public record Gc(String schedule, boolean untagged, String grace) {}

    /**
     * The listener. Connections silent too long are closed: {@code idleTimeout} between requests,
     * {@code headerTimeout} for a request's headers, {@code bodyTimeout} while a body is in transfer. At most
     * {@code maxConnections} open (0: derived from the file-descriptor limit), {@code maxConnectionsPerAddress}
     * from one client address (0: no cap); past a cap a connection is answered 503. {@code trustedProxies}
     * (comma-separated CIDRs; empty: none) may name the client in Forwarded / X-Forwarded-* headers.
     */
    public record Http(String host, int port, int ioThreads, int maxHeaderBytes, String idleTimeout, String headerTimeout,
                       String bodyTimeout, int maxConnections, int maxConnectionsPerAddress, String trustedProxies,
                       String publicAddress) {
        /**
         * How clients name this registry in image references ({@code registry.example.com}, {@code host:port}; default
         * {@code localhost:<port>}): SBOMs and managed cosign signatures name images by it (containers/image checks that
         * name on pull), and admission reviews take images naming it as this registry's.
         */
        public String address() {
            return publicAddress == null || publicAddress.isBlank() ? "localhost:" + port : publicAddress.trim();
        }

        /** The trusted proxies' networks; a malformed one is a configuration error naming it. */
        public List<String> trustedProxyNetworks() {
            List<String> networks = new ArrayList<>();
            for (String entry : trustedProxies.split(",")) {
                if (entry.isBlank()) continue;
                try {
                    dev.stowage.core.access.Cidr.parse(entry.strip());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("http.trustedProxies: '" + entry.strip()
                            + "' is not a network (write CIDRs such as 10.0.0.0/8 or 192.0.2.10/32, comma-separated)");
                }
                networks.add(entry.strip());
            }
            return networks;
        }

        public dev.stowage.server.ServerSettings.Connections connections() {
            return new dev.stowage.server.ServerSettings.Connections(parseDuration(idleTimeout, "http.idleTimeout"),
                    parseDuration(headerTimeout, "http.headerTimeout"), parseDuration(bodyTimeout, "http.bodyTimeout"),
                    maxConnections, maxConnectionsPerAddress);
        }
    }

    /**
     * Blobs and the embedded database under {@code path}. A directory or database file others may read or write is
     * refused at start unless {@code allowLoosePermissions} (then warned about).
     */
    public record Storage(String path, boolean allowLoosePermissions) {}

    /** {@code url} empty means the embedded SQLite database under the storage path. */
    public record Database(String url, String user, String password, int maxPoolSize) {
        @Override
        public String toString() {
            return "Database[url=" + url + ", user=" + user + ", password=" + (password == null || password.isEmpty()
                    ? "(none)" : "(set)") + ", maxPoolSize=" + maxPoolSize + "]";
        }
    }

    public record Uploads(String expiry, String sweepInterval) {}

    public record Manifests(long maxBytes) {}

    public record Delete(boolean enabled) {}

    /**
     * The audit trail: on by default; {@code stream} also writes JSON lines to a file, or stdout with "-". The
     * chain's head is signed with the Ed25519 key in {@code checkpointKeyFile} (empty: under the storage path)
     * every {@code checkpointInterval}, after {@code checkpointRecords} records, and at shutdown.
     */
    public record Audit(boolean enabled, String stream, String checkpointInterval, int checkpointRecords,
                        String checkpointKeyFile) {}

    /** Networks allowed to connect (comma-separated CIDRs; empty: all) and requests per second per client (0: no limit). */
    public record Network(String allow, double rateLimit, double rateBurst) {}

    /**
     * HTTPS from PEM files (empty certificate: plain HTTP); a client CA turns on mutual TLS. An encrypted key is
     * opened with {@code keyPassword}, or the first line of {@code keyPasswordFile}.
     */
    public record Tls(String certificate, String key, String keyPassword, String keyPasswordFile, String clientCa,
                      boolean requireClientCertificate) {
        public boolean enabled() { return certificate != null && !certificate.isBlank(); }

        /** The key's password, if one is set; an unreadable password file is a configuration error naming it. */
        public java.util.Optional<String> password() {
            if (keyPassword != null && !keyPassword.isEmpty()) return java.util.Optional.of(keyPassword);
            if (keyPasswordFile == null || keyPasswordFile.isBlank()) return java.util.Optional.empty();
            try {
                String content = Files.readString(Path.of(keyPasswordFile));
                int end = content.indexOf('\n');
                String first = end < 0 ? content : content.substring(0, end);
                return java.util.Optional.of(first.endsWith("\r") ? first.substring(0, first.length() - 1) : first);
            } catch (IOException e) {
                throw new IllegalArgumentException("tls.keyPasswordFile: cannot read " + keyPasswordFile + " ("
                        + e.getClass().getSimpleName() + "); check the path and that this user may read it");
            }
        }

        @Override
        public String toString() {
            return "Tls[certificate=" + certificate + ", key=" + key + ", keyPassword="
                    + (keyPassword == null || keyPassword.isEmpty() ? "(none)" : "(set)") + ", keyPasswordFile="
                    + keyPasswordFile + ", clientCa=" + clientCa + ", requireClientCertificate=" + requireClientCertificate + "]";
        }
    }

    /**
     * Token authentication: on by default; off only for a registry that every client may write to. The rest bounds
     * what sign-ins may cost: threads and queue of the password hashing, how long verified credentials are trusted
     * without hashing again, and the failed sign-ins allowed per account (before a backoff) and per address a minute.
     */
    public record Auth(boolean enabled, String service, String realm, String tokenLifetime, String keyGrace,
                       boolean createProjectsOnPush, int hashThreads, int hashQueue, String credentialCache,
                       int failureLimit, int addressFailureLimit, String failureBackoffMax) {}

    /**
     * Sign-in through an OpenID Connect provider; on when {@code issuer} is set. {@code groupRoles} maps provider
     * groups to project roles: {@code "devs=team:developer, ops=team:maintainer, ops=infra:admin"}.
     */
    public record Oidc(String issuer, String clientId, String clientSecret, String redirectUri, String scopes,
                       String usernameClaim, String groupsClaim, String adminGroup, String groupRoles) {
        public boolean enabled() { return issuer != null && !issuer.isBlank(); }

        @Override
        public String toString() {
            return "Oidc[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
                    + (clientSecret == null || clientSecret.isEmpty() ? "(none)" : "(set)") + ", redirectUri=" + redirectUri
                    + ", scopes=" + scopes + ", usernameClaim=" + usernameClaim + ", groupsClaim=" + groupsClaim
                    + ", adminGroup=" + adminGroup + ", groupRoles=" + groupRoles + "]";
        }

        /** The group mapping, parsed; a malformed entry is a configuration error naming it. */
        public Map<String, List<OidcSignIn.GroupGrant>> groupGrants() {
            Map<String, List<OidcSignIn.GroupGrant>> out = new LinkedHashMap<>();
            for (String entry : groupRoles.split(",")) {
                if (entry.isBlank()) continue;
                String[] parts = entry.trim().split("[=:]");
                Role role = null;
                if (parts.length == 3) {
                    try {
                        role = Role.valueOf(parts[2].trim().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        role = null;
                    }
                }
                if (role == null || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException("oidc.groupRoles: '" + entry.trim()
                            + "' is not group=project:role (role: guest, developer, maintainer, admin)");
                }
                out.computeIfAbsent(parts[0].trim(), g -> new ArrayList<>()).add(new OidcSignIn.GroupGrant(parts[1].trim(), role));
            }
            return out;
        }
    }

    static final String DEFAULTS = """
            http:
              host: 0.0.0.0
              port: 5000
              ioThreads: 0
              maxHeaderBytes: 16384
              idleTimeout: 60s
              headerTimeout: 20s
              bodyTimeout: 60s
              maxConnections: 0
              maxConnectionsPerAddress: 1000
              trustedProxies: ""
              publicAddress: ""
            storage:
              path: ./data
              allowLoosePermissions: false
            database:
              url: ""
              user: ""
              password: ""
              maxPoolSize: 0
            uploads:
              expiry: 24h
              sweepInterval: 10m
            manifests:
              maxBytes: 4194304
            delete:
              enabled: true
            audit:
              enabled: true
              stream: ""
              checkpointInterval: 5m
              checkpointRecords: 1000
              checkpointKeyFile: ""
            network:
              allow: ""
              rateLimit: 0
              rateBurst: 100
            tls:
              certificate: ""
              key: ""
              keyPassword: ""
              keyPasswordFile: ""
              clientCa: ""
              requireClientCertificate: false
            auth:
              enabled: true
              service: stowage
              realm: ""
              tokenLifetime: 5m
              keyGrace: 24h
              createProjectsOnPush: false
              hashThreads: 0
              hashQueue: 64
              credentialCache: 60s
              failureLimit: 5
              addressFailureLimit: 20
              failureBackoffMax: 5m
            gc:
              schedule: ""
              untagged: false
              grace: 1h
            webhooks:
              allowedNetworks: ""
            scanning:
              workers: 1
              staleAfter: 7d
              mirror: https://osv-vulnerabilities.storage.googleapis.com/
              ecosystems: Go,Maven,npm,PyPI,crates.io,RubyGems,NuGet,Packagist,Debian,Alpine,Rocky Linux,AlmaLinux
              sbomFormats: cyclonedx,spdx
              adapterRegistryUrl: ""
              adapterTimeout: 5m
              adapterSkipTlsVerify: false
            admission:
              registries: ""
              allowedExternalRegistries: ""
              mode: enforce
              maxImages: 1000
            secrets:
              keyFile: ""
              key: ""
            oidc:
              issuer: ""
              clientId: ""
              clientSecret: ""
              redirectUri: ""
              scopes: openid profile email
              usernameClaim: preferred_username
              groupsClaim: groups
              adminGroup: ""
              groupRoles: ""
            """;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Variables named {@code STOWAGE_*} that are not settings but are read elsewhere: by the command line, the
     * first start, logging, the launcher and the tests. Any other {@code STOWAGE_*} name is a likely typo.
     */
    static final java.util.Set<String> OTHER_VARIABLES = java.util.Set.of("STOWAGE_URL", "STOWAGE_USER",
            "STOWAGE_PASSWORD", "STOWAGE_NEW_PASSWORD", "STOWAGE_ADMIN_PASSWORD", "STOWAGE_TLS_KEY_PASSWORD",
            "STOWAGE_JAVA_OPTS", "STOWAGE_LOG_LEVEL", "STOWAGE_LOG_ACCESS", "STOWAGE_TEST_POSTGRES_URL",
            "STOWAGE_TEST_POSTGRES_USER", "STOWAGE_TEST_POSTGRES_PASSWORD");

    /** Loads defaults, then {@code file} if given, then environment overrides; unknown variables are ignored. */
    public static StowageConfig load(Path file, Map<String, String> environment) throws IOException {
        return load(file, environment, warning -> {});
    }

    /**
     * Loads defaults, then {@code file} if given, then environment overrides. Every mistake is a
     * {@link ConfigException} naming the setting and how to fix it; a {@code STOWAGE_*} variable that is no setting
     * is reported to {@code warnings} with the nearest known name.
     */
    public static StowageConfig load(Path file, Map<String, String> environment, java.util.function.Consumer<String> warnings)
            throws IOException {
        ObjectNode tree = (ObjectNode) YAML.readTree(DEFAULTS);
        if (file != null) {
            JsonNode fromFile = readFile(file);
            if (fromFile != null && !fromFile.isMissingNode() && !fromFile.isNull()) {
                if (!fromFile.isObject()) {
                    throw new ConfigException(file + " is not a YAML mapping", "write sections like 'http:' with settings under them");
                }
                merge(tree, (ObjectNode) fromFile, file.toString(), "");
            }
        }
        List<String> known = environmentNames(tree);
        for (var e : new TreeMap<>(environment).entrySet()) {
            if (!e.getKey().startsWith("STOWAGE_")) continue;
            String[] parts = e.getKey().substring("STOWAGE_".length()).toLowerCase(Locale.ROOT).split("_", 2);
            JsonNode section = parts.length == 2 ? tree.get(parts[0]) : null;
            String key = parts.length == 2 ? camelCase(parts[1]) : "";
            if (section instanceof ObjectNode object && object.has(key) && !object.get(key).isObject()) {
                object.put(key, e.getValue());
            } else if (!OTHER_VARIABLES.contains(e.getKey())) {
                warnings.accept("warning: ignoring " + e.getKey() + ": no such setting"
                        + nearest(e.getKey(), known).map(n -> " (did you mean " + n + "?)").orElse(""));
            }
        }
        StowageConfig config;
        try {
            config = YAML.treeToValue(tree, StowageConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
            throw badValue(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("a setting has a value of the wrong kind: " + e.getOriginalMessage(),
                    "numbers are written 5000 or 2.5, flags true or false");
        }
        try {
            config.validate();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), "see the configuration table in README.md", e);
        }
        return config;
    }

    private static JsonNode readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist", "check the --config path");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("configuration file " + file + " cannot be read: permission denied",
                    "let the user running Stowage read it");
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage(),
                    "check the --config path");
        }
        try {
            return YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException(file + (at == null ? "" : " line " + at.getLineNr()) + " is not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), "fix the YAML syntax there");
        }
    }

    private static ConfigException badValue(com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
        String setting = e.getPath().stream().map(com.fasterxml.jackson.databind.JsonMappingException.Reference::getFieldName)
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.joining("."));
        Class<?> type = e.getTargetType();
        String kind = type == boolean.class || type == Boolean.class ? "true or false"
                : type == int.class || type == long.class || type == Integer.class || type == Long.class ? "a whole number"
                : "a number";
        return new ConfigException(setting + " must be " + kind + ", not '" + e.getValue() + "'",
                "set " + setting + " or STOWAGE_" + environmentName(setting) + " to " + kind);
    }

    /** {@code http.maxHeaderBytes} -> {@code HTTP_MAX_HEADER_BYTES}. */
    static String environmentName(String setting) {
        return setting.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static List<String> environmentNames(ObjectNode tree) {
        List<String> names = new ArrayList<>(OTHER_VARIABLES);
        tree.fields().forEachRemaining(section -> section.getValue().fieldNames().forEachRemaining(
                key -> names.add("STOWAGE_" + environmentName(section.getKey() + "." + key))));
        return names;
    }

    /** The known name closest to a mistyped one, if it is close enough to be what was meant. */
    static java.util.Optional<String> nearest(String name, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? java.util.Optional.ofNullable(best) : java.util.Optional.empty();
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static void merge(ObjectNode target, ObjectNode source, String file, String prefix) {
        for (var it = source.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode existing = target.get(e.getKey());
            String setting = prefix + e.getKey();
            if (existing == null) {
                List<String> siblings = new ArrayList<>();
                target.fieldNames().forEachRemaining(n -> siblings.add(prefix + n));
                throw new ConfigException(file + ": unknown setting '" + setting + "'", nearest(setting, siblings)
                        .map(n -> "did you mean '" + n + "'?")
                        .orElse("known here: " + String.join(", ", siblings)));
            }
            if (existing.isObject()) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(file + ": '" + setting + "' must be a section",
                            "put its settings on the lines under it, indented");
                }
                merge((ObjectNode) existing, (ObjectNode) e.getValue(), file, setting + ".");
            } else {
                if (e.getValue().isContainerNode()) {
                    throw new ConfigException(file + ": '" + setting + "' must be a single value", "write it on one line");
                }
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private static String camelCase(String snake) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private void validate() {
        if (http.port() < 0 || http.port() > 65535) throw new IllegalArgumentException("http.port must be 0-65535");
        try {
            http.connections();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("http.") ? e.getMessage() : "http." + e.getMessage(), e);
        }
        parseDuration(uploads.expiry(), "uploads.expiry");
        parseDuration(uploads.sweepInterval(), "uploads.sweepInterval");
        if (tls.enabled() && (tls.key() == null || tls.key().isBlank())) {
            throw new ConfigException("tls.key is required with tls.certificate", "set tls.key to the PEM private key file");
        }
        if (!tls.keyPassword().isEmpty() && !tls.keyPasswordFile().isBlank()) {
            throw new ConfigException("tls.keyPassword and tls.keyPasswordFile are both set; keep one of them");
        }
        http.trustedProxyNetworks();
        if (tls.enabled()) {
            requireReadable(tls.certificate(), "tls.certificate");
            requireReadable(tls.key(), "tls.key");
            if (tls.clientCa() != null && !tls.clientCa().isBlank()) requireReadable(tls.clientCa(), "tls.clientCa");
        }
        for (String network : network.allow().split(",")) {
            if (network.isBlank()) continue;
            try {
                dev.stowage.core.access.Cidr.parse(network.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("network.allow: '" + network.trim() + "' is not an IP network",
                        "write comma-separated CIDRs such as 10.0.0.0/8,192.168.1.0/24");
            }
        }
        secretsKey();
        parseDuration(auth.tokenLifetime(), "auth.tokenLifetime");
        parseDuration(auth.keyGrace(), "auth.keyGrace");
        auditCheckpointInterval();
        if (audit.checkpointRecords() < 1) {
            throw new IllegalArgumentException("audit.checkpointRecords must be at least 1, not " + audit.checkpointRecords());
        }
        credentialSettings();
        loginThrottle();
        gcGrace();
        if (scanning.workers() < 0 || scanning.workers() > 64) {
            throw new ConfigException("scanning.workers must be 0-64, not " + scanning.workers(), "0 stops scanning on this node");
        }
        scanning.staleAfterDuration();
        scanning.sbomFormatList();
        scanning.adapterRegistryUrl(http, tls.enabled());
        scanning.adapterTimeoutDuration();
        try {
            java.net.URI mirror = java.net.URI.create(scanning.mirror());
            if (!"https".equals(mirror.getScheme()) && !"http".equals(mirror.getScheme())) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("scanning.mirror must be an http(s) URL, not '" + scanning.mirror() + "'",
                    "the default is OSV's public exports, https://osv-vulnerabilities.storage.googleapis.com/");
        }
        if (!http.address().matches("(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")) {
            throw new ConfigException("http.publicAddress must be a host or host:port, not '" + http.publicAddress() + "'",
                    "write how clients name this registry in image references, e.g. registry.example.com");
        }
        admission.registryHosts(http);
        admission.externalRegistryHosts();
        admission.enforce();
        atLeast("admission.maxImages", admission.maxImages(), 1, 100_000);
        gcSchedule();
        if (oidc.enabled()) {
            if (oidc.clientId().isBlank()) throw new IllegalArgumentException("oidc.clientId is required with oidc.issuer");
            if (!auth.enabled()) throw new IllegalArgumentException("oidc needs auth.enabled");
            oidc.groupGrants();
        }
        if (manifests.maxBytes() < 1024) throw new IllegalArgumentException("manifests.maxBytes must be at least 1024");
        atLeast("http.ioThreads", http.ioThreads(), 0, 1024);
        atLeast("http.maxHeaderBytes", http.maxHeaderBytes(), 1024, 1 << 20);
        atLeast("http.maxConnections", http.maxConnections(), 0, Integer.MAX_VALUE);
        atLeast("http.maxConnectionsPerAddress", http.maxConnectionsPerAddress(), 0, Integer.MAX_VALUE);
        atLeast("database.maxPoolSize", database.maxPoolSize(), 0, 1000);
        if (network.rateLimit() < 0 || network.rateBurst() < 0) {
            throw new IllegalArgumentException("network.rateLimit and network.rateBurst cannot be negative");
        }
        webhookSettings();
    }

    private static void atLeast(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static void requireReadable(String file, String setting) {
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            throw new ConfigException(setting + ": " + path.toAbsolutePath() + " does not exist", "check the path in " + setting);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigException(setting + ": " + path.toAbsolutePath() + " cannot be read",
                    "make it a file the user running Stowage may read");
        }
    }

    /** The sealing key given as {@code secrets.key}, if one is; a malformed one is a configuration error. */
    public java.util.Optional<byte[]> secretsKey() {
        if (secrets.key() == null || secrets.key().isBlank()) return java.util.Optional.empty();
        byte[] key;
        try {
            key = java.util.Base64.getDecoder().decode(secrets.key().trim());
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != dev.stowage.core.spi.SecretSealer.KEY_BYTES) {
            throw new ConfigException("secrets.key must be the base64 of 32 bytes",
                    "make one with: head -c 32 /dev/urandom | base64");
        }
        return java.util.Optional.of(key);
    }

    /** Where the sealing key is kept when {@code secrets.key} is not set. */
    public Path secretsKeyFile() {
        return secrets.keyFile() == null || secrets.keyFile().isBlank() ? storagePath().resolve("secret.key")
                : Path.of(secrets.keyFile()).toAbsolutePath().normalize();
    }

    /** Delivery settings with the allowed networks; a malformed network is a configuration error naming it. */
    public dev.stowage.webhooks.WebhookSettings webhookSettings() {
        try {
            return dev.stowage.webhooks.WebhookSettings.defaults().withAllowedNetworks(webhooks.allowedNetworks());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhooks.allowedNetworks: " + e.getMessage());
        }
    }

    /** How password hashing is bounded ({@code auth.hashThreads} 0: half the cores). */
    public dev.stowage.identity.CredentialVerifier.Settings credentialSettings() {
        if (auth.hashThreads() < 0) throw new IllegalArgumentException("auth.hashThreads must not be negative");
        if (auth.hashQueue() < 0) throw new IllegalArgumentException("auth.hashQueue must not be negative");
        return new dev.stowage.identity.CredentialVerifier.Settings(
                auth.hashThreads() == 0 ? dev.stowage.identity.CredentialVerifier.Settings.defaultThreads() : auth.hashThreads(),
                auth.hashQueue(), parseDuration(auth.credentialCache(), "auth.credentialCache"));
    }

    /** The failed sign-ins allowed before attempts are refused (0 turns a limit off). */
    public dev.stowage.identity.LoginThrottle.Settings loginThrottle() {
        if (auth.failureLimit() < 0) throw new IllegalArgumentException("auth.failureLimit must not be negative");
        if (auth.addressFailureLimit() < 0) throw new IllegalArgumentException("auth.addressFailureLimit must not be negative");
        return new dev.stowage.identity.LoginThrottle.Settings(auth.failureLimit(), auth.addressFailureLimit(),
                parseDuration(auth.failureBackoffMax(), "auth.failureBackoffMax"));
    }

    public Duration gcGrace() { return parseDuration(gc.grace(), "gc.grace"); }

    /** The collection schedule, if one is set; a malformed expression is a configuration error naming it. */
    public java.util.Optional<dev.stowage.core.governance.Schedule> gcSchedule() {
        if (gc.schedule() == null || gc.schedule().isBlank()) return java.util.Optional.empty();
        try {
            return java.util.Optional.of(dev.stowage.core.governance.Schedule.parse(gc.schedule()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gc.schedule: " + e.getMessage());
        }
    }

    public Duration uploadExpiry() { return parseDuration(uploads.expiry(), "uploads.expiry"); }

    public Duration uploadSweepInterval() { return parseDuration(uploads.sweepInterval(), "uploads.sweepInterval"); }

    /**
     * With the embedded database this node is the only writer, so cached tags stay valid until it changes them;
     * with a shared database other nodes may move a tag, so a cached one is trusted for one second at most.
     */
    public Duration tagCacheTtl() {
        return jdbcUrl().startsWith("jdbc:sqlite:") ? Duration.ofSeconds(-1) : Duration.ofSeconds(1);
    }

    public Path storagePath() { return Path.of(storage.path()).toAbsolutePath().normalize(); }

    public Duration auditCheckpointInterval() {
        return Durations.parse(audit.checkpointInterval(), Duration.ofSeconds(1), Durations.MAX, "audit.checkpointInterval");
    }

    /** The audit checkpoint signing key: the configured file, or audit-checkpoint.key under the storage path. */
    public Path auditCheckpointKeyFile() {
        String file = audit.checkpointKeyFile();
        return file == null || file.isBlank() ? storagePath().resolve("audit-checkpoint.key") : Path.of(file).toAbsolutePath();
    }

    /** The configured JDBC URL, or the embedded SQLite file under the storage path. */
    public String jdbcUrl() {
        if (database.url() != null && !database.url().isBlank()) return database.url();
        return "jdbc:sqlite:" + storagePath().resolve("stowage.db");
    }

    /** Durations as {@code 24h}, {@code 30m}, {@code 10s}, {@code 500ms}, {@code 7d}, or ISO-8601 ({@code PT1H}). */
    static Duration parseDuration(String text, String name) {
        if (text == null) throw new IllegalArgumentException(name + " is required");
        return Durations.parse(text, Duration.ZERO, Durations.MAX, name);
    }
}
