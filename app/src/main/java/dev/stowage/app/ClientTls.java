package dev.stowage.app;

import dev.stowage.server.TlsMaterial;
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
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;

/**
 * The CLI's side of TLS: which registry certificates to trust ({@code --cacert}, or none checked with
 * {@code --insecure}) and which client certificate to show ({@code --cert}/{@code --key}, for mutual TLS).
 * Keys are read with the JDK alone, so only unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); other formats get a
 * line saying how to convert them.
 */
final class ClientTls {
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
        TlsMaterial pair;
        try {
            pair = TlsMaterial.load(certificate, keyFile, Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cert/--key: " + e.getMessage().replaceFirst("^TLS: ", ""));
        }
        PrivateKey key = pair.key();
        Certificate[] chain = pair.chain();
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
