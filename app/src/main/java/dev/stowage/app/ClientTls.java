package dev.stowage.app;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLI's side of TLS: which registry certificates to trust ({@code --cacert}, or none checked with
 * {@code --insecure}) and which client certificate to show ({@code --cert}/{@code --key}, for mutual TLS).
 * Keys are read with the JDK alone, so only unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); other formats get a
 * line saying how to convert them.
 */
final class ClientTls {
    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] IN_MEMORY = "in-memory".toCharArray();

    private ClientTls() {}

    static SSLContext context(Path cacert, boolean insecure, Path certificate, Path key) throws GeneralSecurityException {
        TrustManager[] trust = insecure ? new TrustManager[] {new TrustingEverything()} : cacert == null ? null : trusting(cacert);
        KeyManagerFactory keys = null;
        if (certificate != null || key != null) {
            if (certificate == null || key == null) throw new IllegalArgumentException("--cert and --key go together");
            keys = clientKeys(certificate, key);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust, null);
        return context;
    }

    private static TrustManager[] trusting(Path cacert) throws GeneralSecurityException {
        Collection<? extends Certificate> certificates = certificates(cacert, "--cacert");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate c : certificates) store.setCertificateEntry("ca-" + i++, c);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManagerFactory clientKeys(Path certificate, Path keyFile) throws GeneralSecurityException {
        Certificate[] chain = certificates(certificate, "--cert").toArray(Certificate[]::new);
        String pem = read(keyFile, "--key");
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            String found = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key"
                    : pem.contains("RSA PRIVATE KEY") ? "a PKCS#1 RSA key" : pem.contains("EC PRIVATE KEY") ? "a SEC1 EC key"
                    : "no PEM private key";
            throw new IllegalArgumentException("--key " + keyFile + ": " + found + "; the CLI reads unencrypted PKCS#8 "
                    + "(BEGIN PRIVATE KEY): convert with openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out client.pk8.key");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--key " + keyFile + ": not a " + chain[0].getPublicKey().getAlgorithm()
                    + " key for the certificate in " + certificate + " (" + e.getMessage() + ")");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        store.setKeyEntry("client", key, IN_MEMORY, chain);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, IN_MEMORY);
        return factory;
    }

    private static Collection<? extends Certificate> certificates(Path file, String option) {
        String pem = read(file, option);
        Collection<? extends Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(option + " " + file + ": not PEM certificates (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) throw new IllegalArgumentException(option + " " + file + ": no certificate in it");
        return certificates;
    }

    private static String read(Path file, String option) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * --insecure: accepts any certificate for any name. An X509ExtendedTrustManager, because the JDK adds a host
     * name check around plain X509TrustManagers.
     */
    private static final class TrustingEverything extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
