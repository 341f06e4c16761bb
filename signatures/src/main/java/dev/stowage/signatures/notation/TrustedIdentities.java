package dev.stowage.signatures.notation;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Notation's trusted identities (trust-store-trust-policy.md, "Trusted Identities Constraints", and notation-go's
 * {@code verifyX509TrustedIdentities}): {@code "*"} trusts any signing certificate the store's roots issued; an entry
 * {@code "x509.subject: C=US, ST=WA, O=Acme, CN=Builder"} (RFC 4514 syntax, escapes allowed) matches a signing
 * certificate whose subject has every one of those attributes with the same value, in any order and whatever other
 * attributes it has. Multi-valued RDNs and repeated attribute types are refused, as notation refuses them; {@code S} is
 * {@code ST}. Entries with another prefix are identities for plugins, which Stowage does not run, and match nothing.
 */
public final class TrustedIdentities {
    public static final String WILDCARD = "*";
    public static final String X509_SUBJECT = "x509.subject";

    private static final Map<ASN1ObjectIdentifier, String> SHORT_NAMES = Map.of(
            BCStyle.C, "C", BCStyle.ST, "ST", BCStyle.L, "L", BCStyle.O, "O", BCStyle.OU, "OU", BCStyle.CN, "CN",
            BCStyle.SERIALNUMBER, "SERIALNUMBER", BCStyle.STREET, "STREET", BCStyle.POSTAL_CODE, "POSTALCODE");

    private TrustedIdentities() {
    }

    /** The outcome of matching: whether the subject is trusted, and when not, why, in words. */
    record Match(boolean trusted, String reason) {}

    static Match match(List<String> trustedIdentities, X509Certificate leaf, String storeName) {
        if (trustedIdentities.contains(WILDCARD)) return new Match(true, "any identity");
        Map<String, String> subject;
        try {
            subject = attributes(X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()));
        } catch (IllegalArgumentException e) {
            return new Match(false, "the signing certificate's subject " + CodeSigningChain.subject(leaf)
                    + " cannot be matched: " + e.getMessage());
        }
        int usable = 0;
        for (String identity : trustedIdentities) {
            Optional<Map<String, String>> parsed = parse(identity);
            if (parsed.isEmpty()) continue;
            usable++;
            if (parsed.get().entrySet().stream().allMatch(e -> e.getValue().equals(subject.get(e.getKey())))) {
                return new Match(true, identity.trim());
            }
        }
        if (usable == 0) return new Match(false, "trust store " + storeName + " has no usable x509.subject trusted identity");
        return new Match(false, "subject " + CodeSigningChain.subject(leaf) + " is not a trusted identity of store " + storeName);
    }

    /**
     * Checks an entry the way a policy editor should before storing it: {@code "*"} or {@code x509.subject:} followed
     * by RDNs. Notation also demands C, ST and O in every entry; that rule is the policy's to apply, not the verifier's.
     *
     * @return the problem, or empty when the entry is usable
     */
    public static Optional<String> problem(String identity) {
        if (WILDCARD.equals(identity)) return Optional.empty();
        int colon = identity.indexOf(':');
        if (colon < 0 || !identity.substring(0, colon).trim().equals(X509_SUBJECT)) {
            return Optional.of("a trusted identity is \"*\" or \"x509.subject: <distinguished name>\"");
        }
        try {
            parseDn(identity.substring(colon + 1));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<Map<String, String>> parse(String identity) {
        int colon = identity.indexOf(':');
        if (colon < 0 || !identity.substring(0, colon).trim().equals(X509_SUBJECT)) return Optional.empty();
        try {
            return Optional.of(parseDn(identity.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> attributes(X500Name name) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (RDN rdn : name.getRDNs()) {
            if (rdn.isMultiValued()) throw new IllegalArgumentException("it has a multi-valued RDN");
            AttributeTypeAndValue attribute = rdn.getFirst();
            String type = SHORT_NAMES.getOrDefault(attribute.getType(), attribute.getType().getId());
            ASN1Encodable value = attribute.getValue();
            String text = value instanceof ASN1String string ? string.getString() : value.toString();
            if (attributes.put(type, text) != null) throw new IllegalArgumentException("it repeats the attribute " + type);
        }
        return attributes;
    }

    /** RFC 4514 distinguished name: RDNs separated by commas, backslash escapes of specials and hex pairs. */
    static Map<String, String> parseDn(String dn) {
        if (dn.contains("=#")) throw new IllegalArgumentException("hex-encoded attribute values (=#) are not supported");
        Map<String, String> attributes = new LinkedHashMap<>();
        int i = 0;
        int length = dn.length();
        while (i < length) {
            int equals = dn.indexOf('=', i);
            if (equals < 0) throw new IllegalArgumentException("\"" + dn.substring(i).trim() + "\" is not type=value");
            String type = dn.substring(i, equals).trim().toUpperCase(java.util.Locale.ROOT);
            if (type.equals("S")) type = "ST";
            if (type.isEmpty() || !type.matches("[A-Z][A-Z0-9-]*|[0-9]+(\\.[0-9]+)*")) {
                throw new IllegalArgumentException("\"" + type + "\" is not an attribute type");
            }
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            int lastSignificant = 0; // value length up to its last escaped or non-space character
            i = equals + 1;
            while (i < length && dn.charAt(i) == ' ') i++;
            boolean ended = false;
            while (i < length && !ended) {
                char c = dn.charAt(i);
                if (c == ',') {
                    ended = true;
                } else if (c == '+') {
                    throw new IllegalArgumentException("multi-valued RDNs are not supported");
                } else if (c == '\\') {
                    if (i + 1 >= length) throw new IllegalArgumentException("the name ends with a lone backslash");
                    char escaped = dn.charAt(i + 1);
                    if (isHex(escaped) && i + 2 < length && isHex(dn.charAt(i + 2))) {
                        value.write(Integer.parseInt(dn.substring(i + 1, i + 3), 16));
                        i += 3;
                    } else {
                        value.writeBytes(String.valueOf(escaped).getBytes(StandardCharsets.UTF_8));
                        i += 2;
                    }
                    lastSignificant = value.size();
                    continue;
                } else {
                    value.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                    if (c != ' ') lastSignificant = value.size();
                }
                i++;
            }
            byte[] bytes = value.toByteArray();
            String text = new String(bytes, 0, lastSignificant, StandardCharsets.UTF_8);
            if (attributes.put(type, text) != null) throw new IllegalArgumentException("the attribute " + type + " is repeated");
            if (ended && i >= length) throw new IllegalArgumentException("the name ends with a comma");
        }
        if (attributes.isEmpty()) throw new IllegalArgumentException("the distinguished name is empty");
        return attributes;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
