package dev.stowage.webhooks;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 POST to an address that was already checked, answering only the status code.
 *
 * <p>Why not {@code java.net.http.HttpClient}: it resolves the URL's host itself when it connects, so a check made
 * before could be answered with one address and the connection made to another (DNS rebinding), and it cannot be
 * told to connect to a given address while keeping the URL's host for {@code Host}, SNI and certificate checks. This
 * connects a plain socket to the checked address (never through a proxy), then speaks TLS with the URL's host name
 * (SNI, and the certificate verified for that name with the JVM's trust store) when the URL is https.
 *
 * <p>What it does not do, on purpose: follow redirects (a 3xx is an answer like any other), reuse connections
 * ({@code Connection: close}; webhooks are few and small), read the answer's body (the connection is closed after the
 * status line, so a receiver cannot make the registry read, keep or show its answer), or speak HTTP/2. The whole
 * exchange is bounded by a deadline: at its end the socket is closed, whatever the receiver is still trickling.
 */
final class PinnedHttpPost {
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final SSLSocketFactory tls;
    private final ScheduledExecutorService deadlines;

    PinnedHttpPost(SSLSocketFactory tls, ScheduledExecutorService deadlines) {
        this.tls = tls;
        this.deadlines = deadlines;
    }

    /**
     * POSTs {@code body} to {@code url} over a connection to {@code address} and answers the final status code.
     *
     * @throws IOException for every way there is no HTTP answer: refused, reset, timed out, TLS failed, not HTTP
     */
    int post(URI url, InetAddress address, Map<String, String> headers, byte[] body, Duration connectTimeout,
             Duration exchangeTimeout) throws IOException {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
        String host = url.getHost(); // a name, an IPv4 literal, or an IPv6 literal in brackets
        Socket socket = new Socket(Proxy.NO_PROXY);
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(socket), exchangeTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try (socket) {
            socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, connectTimeout.toMillis()));
            socket.setSoTimeout((int) Math.max(1, exchangeTimeout.toMillis()));
            Socket channel = socket;
            if (https) {
                String name = TargetAddressPolicy.unbracketed(host);
                SSLSocket ssl = (SSLSocket) tls.createSocket(socket, name, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
                if (!TargetAddressPolicy.isLiteral(host)) parameters.setServerNames(List.of(new SNIHostName(name)));
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
                channel = ssl;
            }
            OutputStream out = new BufferedOutputStream(channel.getOutputStream());
            out.write(head(url, host, port, https, headers, body.length));
            out.write(body);
            out.flush();
            return readStatus(new BufferedInputStream(channel.getInputStream()));
        } finally {
            deadline.cancel(false);
        }
    }

    private static byte[] head(URI url, String host, int port, boolean https, Map<String, String> headers, int length) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        boolean defaultPort = port == (https ? 443 : 80);
        StringBuilder head = new StringBuilder(512)
                .append("POST ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(defaultPort ? "" : ":" + port).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The status of the first final (non-1xx) response; interim responses' heads are skipped. */
    private static int readStatus(InputStream in) throws IOException {
        int budget = MAX_HEAD_BYTES;
        while (true) {
            String statusLine = readLine(in, budget);
            budget -= statusLine.length() + 2;
            if (!statusLine.matches("HTTP/1\\.[01] [1-5][0-9][0-9]( .*)?")) throw new IOException("not an HTTP answer");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            if (status >= 200) return status;
            for (String line = readLine(in, budget); !line.isEmpty(); line = readLine(in, budget)) {
                budget -= line.length() + 2;
            }
            budget -= 2;
        }
    }

    private static String readLine(InputStream in, int budget) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed before the answer's head ended");
            if (c == '\n') break;
            if (line.length() >= budget) throw new IOException("answer head longer than " + MAX_HEAD_BYTES + " bytes");
            line.append((char) c);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
        return line.toString();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
