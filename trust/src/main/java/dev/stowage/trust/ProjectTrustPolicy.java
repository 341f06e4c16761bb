package dev.stowage.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.signatures.TrustPolicy;
import dev.stowage.signatures.notation.TrustedIdentities;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A project's trust policy as an administrator writes it (the JSON document the API takes and the store keeps), already
 * validated: every PEM parses, every regular expression compiles, names are unique. {@link #trustPolicy()} is the
 * verification's view of it.
 *
 * <pre>{"enforcement": "off|audit|enforce", "trustManagedSigning": false,
 *  "keys": [{"name": "ci", "publicKey": "-----BEGIN PUBLIC KEY-----..."}],
 *  "trustStores": [{"name": "corp", "certificates": "-----BEGIN CERTIFICATE-----...", "trustedIdentities": ["*"]}],
 *  "keyless": [{"name": "release", "issuer": "https://token.actions.githubusercontent.com",
 *               "subjectRegExp": "https://github.com/org/.+"}]}</pre>
 */
public record ProjectTrustPolicy(Enforcement enforcement, boolean trustManagedSigning, List<Key> keys,
                                 List<TrustStoreEntry> trustStores, List<Keyless> keyless, TrustPolicy trustPolicy) {
    public static final int MAX_KEYS = 64;
    public static final int MAX_TRUST_STORES = 16;
    public static final int MAX_CERTIFICATES = 32;
    public static final int MAX_IDENTITIES = 64;
    public static final int MAX_REGEXP = 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PEM_PUBLIC_KEY = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public static final ProjectTrustPolicy DEFAULT = new ProjectTrustPolicy(Enforcement.OFF, false, List.of(), List.of(),
            List.of(), TrustPolicy.NONE);

    public record Key(String name, String publicKey) {}

    public record TrustStoreEntry(String name, String certificates, List<String> trustedIdentities) {}

    public record Keyless(String name, Optional<String> issuer, Optional<String> issuerRegExp, Optional<String> subject,
                          Optional<String> subjectRegExp) {}

    public ProjectTrustPolicy {
        keys = List.copyOf(keys);
        trustStores = List.copyOf(trustStores);
        keyless = List.copyOf(keyless);
    }

    /** Whether anything in the policy can verify a signature (a policy that trusts nothing verifies nothing). */
    public boolean trustsAnything() {
        return trustManagedSigning || trustPolicy.trustsAnything();
    }

    /** A policy that is not a valid one; the message names the field. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /** Reads and validates the document; unknown fields and wrong types are refused with the field's name. */
    public static ProjectTrustPolicy parse(JsonNode body) {
        if (body == null || !body.isObject()) throw new Invalid("the trust policy must be a JSON object");
        only(body, "", "enforcement", "trustManagedSigning", "keys", "trustStores", "keyless");
        Enforcement enforcement = Enforcement.OFF;
        JsonNode e = body.get("enforcement");
        if (e != null && !e.isNull()) {
            enforcement = Enforcement.parse(e.isTextual() ? e.textValue() : null)
                    .orElseThrow(() -> new Invalid("enforcement must be off, audit or enforce"));
        }
        boolean managed = false;
        JsonNode m = body.get("trustManagedSigning");
        if (m != null && !m.isNull()) {
            if (!m.isBoolean()) throw new Invalid("trustManagedSigning must be true or false");
            managed = m.booleanValue();
        }
        Set<String> names = new HashSet<>();
        List<Key> keys = new ArrayList<>();
        List<TrustPolicy.TrustedKey> trustedKeys = new ArrayList<>();
        int i = 0;
        for (JsonNode k : array(body, "keys", MAX_KEYS)) {
            String at = "keys[" + i++ + "]";
            only(k, at, "name", "publicKey");
            String name = name(k, at, names);
            String pem = text(k, at + ".publicKey").orElseThrow(() -> new Invalid(at + ".publicKey is required: a PEM "
                    + "public key (-----BEGIN PUBLIC KEY-----)"));
            trustedKeys.add(new TrustPolicy.TrustedKey(name, publicKey(pem, at + ".publicKey")));
            keys.add(new Key(name, pem));
        }
        List<TrustStoreEntry> stores = new ArrayList<>();
        List<TrustPolicy.X509TrustStore> x509 = new ArrayList<>();
        i = 0;
        for (JsonNode s : array(body, "trustStores", MAX_TRUST_STORES)) {
            String at = "trustStores[" + i++ + "]";
            only(s, at, "name", "certificates", "trustedIdentities");
            String name = name(s, at, names);
            String pem = text(s, at + ".certificates").orElseThrow(() -> new Invalid(at + ".certificates is required: "
                    + "PEM root (or intermediate) CA certificates"));
            List<X509Certificate> roots = certificates(pem, at + ".certificates");
            List<String> identities = new ArrayList<>();
            int j = 0;
            for (JsonNode id : array(s, "trustedIdentities", MAX_IDENTITIES)) {
                String where = at + ".trustedIdentities[" + j++ + "]";
                if (!id.isTextual() || id.textValue().isBlank()) {
                    throw new Invalid(where + " must be \"*\" or \"x509.subject: <distinguished name>\"");
                }
                identities.add(identity(id.textValue().trim(), where));
            }
            if (identities.isEmpty()) {
                throw new Invalid(at + ".trustedIdentities is required: [\"*\"] (any subject the certificates issued) or "
                        + "[\"x509.subject: CN=...,O=...\"]");
            }
            stores.add(new TrustStoreEntry(name, pem, identities));
            x509.add(new TrustPolicy.X509TrustStore(name, roots, identities));
        }
        List<Keyless> keyless = new ArrayList<>();
        List<TrustPolicy.KeylessIdentity> identities = new ArrayList<>();
        i = 0;
        for (JsonNode k : array(body, "keyless", MAX_IDENTITIES)) {
            String at = "keyless[" + i++ + "]";
            only(k, at, "name", "issuer", "issuerRegExp", "subject", "subjectRegExp");
            String name = name(k, at, names);
            Optional<String> issuer = text(k, at + ".issuer");
            Optional<String> issuerRegExp = text(k, at + ".issuerRegExp");
            Optional<String> subject = text(k, at + ".subject");
            Optional<String> subjectRegExp = text(k, at + ".subjectRegExp");
            if (issuer.isEmpty() && issuerRegExp.isEmpty()) {
                throw new Invalid(at + " needs issuer or issuerRegExp (the certificate's OIDC issuer)");
            }
            if (subject.isEmpty() && subjectRegExp.isEmpty()) {
                throw new Invalid(at + " needs subject or subjectRegExp (the certificate's identity: an email or URI)");
            }
            keyless.add(new Keyless(name, issuer, issuerRegExp, subject, subjectRegExp));
            identities.add(new TrustPolicy.KeylessIdentity(name, issuer, issuerRegExp.map(r -> regexp(r, at + ".issuerRegExp")),
                    subject, subjectRegExp.map(r -> regexp(r, at + ".subjectRegExp"))));
        }
        return new ProjectTrustPolicy(enforcement, managed, keys, stores, keyless,
                new TrustPolicy(trustedKeys, x509, identities));
    }

    /** Reads a stored document (written by {@link #toJson}); it was validated when it was stored. */
    public static ProjectTrustPolicy parse(String stored) {
        try {
            return parse(JSON.readTree(stored));
        } catch (IOException e) {
            throw new Invalid("the stored trust policy is not JSON: " + e.getMessage());
        }
    }

    public ObjectNode toJson() {
        ObjectNode out = JSON.createObjectNode();
        out.put("enforcement", enforcement.apiName());
        out.put("trustManagedSigning", trustManagedSigning);
        ArrayNode ks = out.putArray("keys");
        for (Key k : keys) ks.addObject().put("name", k.name()).put("publicKey", k.publicKey());
        ArrayNode ss = out.putArray("trustStores");
        for (TrustStoreEntry s : trustStores) {
            ObjectNode o = ss.addObject().put("name", s.name()).put("certificates", s.certificates());
            ArrayNode ids = o.putArray("trustedIdentities");
            s.trustedIdentities().forEach(ids::add);
        }
        ArrayNode kl = out.putArray("keyless");
        for (Keyless k : keyless) {
            ObjectNode o = kl.addObject().put("name", k.name());
            k.issuer().ifPresent(v -> o.put("issuer", v));
            k.issuerRegExp().ifPresent(v -> o.put("issuerRegExp", v));
            k.subject().ifPresent(v -> o.put("subject", v));
            k.subjectRegExp().ifPresent(v -> o.put("subjectRegExp", v));
        }
        return out;
    }

    public String toJsonText() {
        return toJson().toString();
    }

    private static void only(JsonNode node, String at, String... fields) {
        if (!node.isObject()) throw new Invalid((at.isEmpty() ? "the policy" : at) + " must be an object");
        Set<String> allowed = Set.of(fields);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw new Invalid((at.isEmpty() ? "" : at + ".") + f + " is not a field here (" + String.join(", ", fields) + ")");
            }
        }
    }

    private static List<JsonNode> array(JsonNode node, String field, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw new Invalid(field + " must be a list");
        if (v.size() > max) throw new Invalid(field + " holds at most " + max + " entries");
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    private static Optional<String> text(JsonNode node, String path) {
        String field = path.substring(path.lastIndexOf('.') + 1);
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual() || v.textValue().isEmpty()) throw new Invalid(path + " must be a non-empty string");
        return Optional.of(v.textValue());
    }

    private static String name(JsonNode node, String at, Set<String> seen) {
        String name = text(node, at + ".name").orElseThrow(() -> new Invalid(at + ".name is required"));
        if (!NAME.matcher(name).matches()) {
            throw new Invalid(at + ".name must be 1 to 64 letters, digits, '.', '_' or '-', got " + quoted(name));
        }
        if (!seen.add(name)) throw new Invalid(at + ".name " + quoted(name) + " is used twice in the policy");
        return name;
    }

    /** Notation's form, kept as written: {@code "*"} or {@code "x509.subject: <distinguished name>"}. */
    private static String identity(String text, String at) {
        Optional<String> problem = TrustedIdentities.problem(text);
        if (problem.isPresent()) throw new Invalid(at + ": " + problem.get() + ", got " + quoted(text));
        return text;
    }

    private static Pattern regexp(String text, String at) {
        if (text.length() > MAX_REGEXP) throw new Invalid(at + " is longer than " + MAX_REGEXP + " characters");
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new Invalid(at + " is not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** A PEM public key of a kind signatures use: ECDSA P-256/P-384, Ed25519, RSA of at least 2048 bits. */
    static PublicKey publicKey(String pem, String at) {
        Matcher matcher = PEM_PUBLIC_KEY.matcher(pem);
        if (!matcher.find()) throw new Invalid(at + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new Invalid(at + ": the PEM body is not base64");
        }
        if (matcher.find()) throw new Invalid(at + " holds more than one key: give each its own entry");
        for (String algorithm : List.of("EC", "Ed25519", "RSA")) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                if (key instanceof ECPublicKey ec) {
                    int bits = ec.getParams().getCurve().getField().getFieldSize();
                    if (bits != 256 && bits != 384) throw new Invalid(at + ": ECDSA keys must be P-256 or P-384, not " + bits + " bits");
                }
                if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
                    throw new Invalid(at + ": RSA keys must have at least 2048 bits");
                }
                return key;
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                if (e instanceof Invalid invalid) throw invalid;
            }
        }
        throw new Invalid(at + " is not an ECDSA, Ed25519 or RSA public key");
    }

    static List<X509Certificate> certificates(String pem, String at) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new Invalid(at + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException | RuntimeException e) {
            throw new Invalid(at + " is not a list of PEM certificates: " + e.getMessage());
        }
        if (out.isEmpty()) throw new Invalid(at + " holds no certificate");
        if (out.size() > MAX_CERTIFICATES) throw new Invalid(at + " holds more than " + MAX_CERTIFICATES + " certificates");
        return out;
    }

    private static String quoted(String s) {
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
}
