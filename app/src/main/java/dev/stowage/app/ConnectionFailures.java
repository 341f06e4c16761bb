package dev.stowage.app;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;

/** What went wrong reaching the registry, in words that say what to do about it. */
final class ConnectionFailures {
    private ConnectionFailures() {}

    static String describe(Exception e, String url) {
        String certificate = certificateProblem(e);
        if (certificate != null) {
            return "the TLS certificate of " + url + " is not trusted (" + certificate + ") — give the CA that signed it with "
                    + "--cacert FILE or STOWAGE_CACERT (--insecure skips the check, for tests only)";
        }
        if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
            return "cannot connect to " + url + " (unknown host) — set --url or STOWAGE_URL";
        }
        if (has(e, HttpConnectTimeoutException.class)) {
            return "cannot connect to " + url + " (timed out) — is the address right and the port open? set --url or STOWAGE_URL";
        }
        if (has(e, ConnectException.class)) {
            return "cannot connect to " + url + " (connection refused) — is the server running? set --url or STOWAGE_URL";
        }
        if (has(e, HttpTimeoutException.class)) return "no answer from " + url + " (timed out)";
        SSLException tls = find(e, SSLException.class);
        if (tls != null) {
            String message = String.valueOf(tls.getMessage());
            if (message.contains("certificate_required") || message.contains("bad_certificate")) {
                return "the registry at " + url + " wants a client certificate it trusts (" + message
                        + ") — give it with --cert FILE --key FILE";
            }
            if (message.contains("Unsupported or unrecognized SSL message")) {
                return url + " does not speak TLS — use http:// in --url";
            }
            return "TLS handshake with " + url + " failed (" + message + ")";
        }
        if (url.startsWith("http://") && (has(e, EOFException.class) || String.valueOf(e.getMessage()).contains("no bytes"))) {
            return "the connection to " + url + " was closed without an answer — if the registry serves HTTPS, use https:// in --url";
        }
        return "cannot connect to " + url + " (" + e + ")";
    }

    /** The reason a certificate was refused, or null when the failure was not about certificates. */
    private static String certificateProblem(Exception e) {
        CertificateException certificate = find(e, CertificateException.class);
        if (certificate != null) return certificate.getMessage();
        SSLHandshakeException handshake = find(e, SSLHandshakeException.class);
        if (handshake != null && String.valueOf(handshake.getMessage()).contains("PKIX")) return handshake.getMessage();
        return null;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        return find(e, type) != null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }
}
