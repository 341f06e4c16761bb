package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a cosign tag-scheme signature, byte for byte as {@code cosign sign --key} writes one (go-containerregistry's
 * JSON of an empty image with one appended layer): the simple-signing payload as the only layer, its signature in the
 * layer's {@code dev.cosignproject.cosign/signature} annotation, and the zero-time config cosign's empty image has.
 * {@code cosign verify --key} accepts it, and so does {@link CosignFormat}.
 */
public final class CosignSigning {
    static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    private CosignSigning() {}

    /**
     * @param dockerReference the repository the image was pushed to ({@code registry.example/team/app}), which cosign
     *                        writes as the payload's claimed identity; verifiers ignore it
     * @param publicKey       {@code key}'s public half: the signature is checked with it before it is handed out
     * @throws IllegalArgumentException for a key type cosign does not sign with, or keys that do not belong together
     */
    public static SignaturePush sign(Digest subject, String dockerReference, PrivateKey key, PublicKey publicKey) {
        byte[] payload = simpleSigningPayload(subject, dockerReference);
        byte[] signature = signature(key, payload);
        if (!Crypto.verifies(publicKey, payload, signature)) {
            throw new IllegalArgumentException("the public key does not verify the private key's signature");
        }
        Digest payloadDigest = Digest.sha256Of(payload);
        byte[] config = config(payloadDigest);
        Digest configDigest = Digest.sha256Of(config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + CONFIG_MEDIA_TYPE + "\",\"size\":" + config.length
                + ",\"digest\":\"" + configDigest + "\"},"
                + "\"layers\":[{\"mediaType\":\"" + SignatureMediaTypes.COSIGN_SIMPLE_SIGNING + "\",\"size\":"
                + payload.length + ",\"digest\":\"" + payloadDigest + "\",\"annotations\":{\"" + SIGNATURE_ANNOTATION
                + "\":\"" + Base64.getEncoder().encodeToString(signature) + "\"}}]}";
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(configDigest, config);
        blobs.put(payloadDigest, payload);
        return new SignaturePush(MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8), blobs,
                Optional.of(SignatureMediaTypes.cosignSignatureTag(subject)));
    }

    /** sigstore's {@code payload.Cosign} JSON: field order and the {@code "optional":null} as Go marshals them. */
    static byte[] simpleSigningPayload(Digest subject, String dockerReference) {
        return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + goString(dockerReference) + "\"},"
                + "\"image\":{\"docker-manifest-digest\":\"" + subject + "\"},"
                + "\"type\":\"cosign container image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
    }

    /** go-containerregistry's config of {@code empty.Image} after one {@code mutate.Append}. */
    static byte[] config(Digest payloadDigest) {
        return ("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":"
                + "\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + payloadDigest + "\"]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] signature(PrivateKey key, byte[] payload) {
        String algorithm = switch (key) {
            case ECPrivateKey ec -> ec.getParams().getCurve().getField().getFieldSize() > 256
                    ? "SHA384withECDSA" : "SHA256withECDSA";
            case RSAPrivateKey ignored -> "SHA256withRSA";
            default -> "Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm()) ? "Ed25519" : null;
        };
        if (algorithm == null) throw new IllegalArgumentException("cosign does not sign with " + key.getAlgorithm() + " keys");
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(payload);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this " + key.getAlgorithm() + " key", e);
        }
    }

    /** Go's JSON string escaping: JSON's, plus {@code <>&} as {@code \u003c} and so on. */
    private static String goString(String text) {
        String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(text));
        return escaped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }
}
