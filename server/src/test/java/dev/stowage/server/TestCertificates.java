package dev.stowage.server;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A throw-away CA, server and client certificates made with the openssl command for TLS tests. */
public final class TestCertificates {
    public final Path dir;

    public TestCertificates(Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed to make test certificates");
        this.dir = dir;
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=stowage-test-ca");
        issue("server", "server-1", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        issue("client", "ci-robot", "extendedKeyUsage=clientAuth");
        run("openssl", "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:changeit");
    }

    /** Issues {@code name}.crt/.key signed by the CA with the given common name and extension line. */
    public void issue(String name, String commonName, String extension) throws Exception {
        Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key.new",
                "-out", name + ".csr", "-subj", "/CN=" + commonName);
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt.new", "-days", "2", "-extfile", name + ".ext");
        // Replace both files only when both exist, as a certificate renewal tool would.
        Files.move(dir.resolve(name + ".key.new"), dir.resolve(name + ".key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve(name + ".crt.new"), dir.resolve(name + ".crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Issues a new certificate with a new key for {@code name} but replaces only {@code name}.crt, keeping the new key
     * aside until {@link #installPendingKey}: a renewal tool that writes one file at a time, caught in between.
     */
    public void issueCertificateOnly(String name, String commonName, String extension) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path kept = dir.resolve(name + ".key.kept");
        Files.copy(key, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        issue(name, commonName, extension);
        Files.move(key, dir.resolve(name + ".key.pending"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(kept, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Replaces {@code name}.key with the key {@link #issueCertificateOnly} kept aside. */
    public void installPendingKey(String name) throws Exception {
        Files.move(dir.resolve(name + ".key.pending"), dir.resolve(name + ".key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    TlsSettings serverSettings(boolean requireClientCertificate) {
        return new TlsSettings(dir.resolve("server.crt"), dir.resolve("server.key"),
                requireClientCertificate ? java.util.Optional.of(dir.resolve("ca.crt")) : java.util.Optional.empty(),
                requireClientCertificate);
    }

    /** A client context trusting the test CA, presenting the client certificate when {@code withClientCert}. */
    public SSLContext clientContext(boolean withClientCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withClientCert) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
                keys.load(in, "changeit".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    public void run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + "\n" + out);
    }
}
