package dev.stowage.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal keep-alive HTTP/1.1 client on a blocking socket: one request at a time, bodies streamed from a
 * {@link Body} and responses read into a sink without buffering them whole. Cheap enough that the load generator,
 * not the client library, is measured last.
 */
final class HttpConnection implements AutoCloseable {
    private final String host;
    private final int port;
    private final String sourceAddress;
    private final TokenAuth auth;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    record Response(int status, Map<String, String> headers, byte[] body, long bodyLength) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A request body written in pieces. */
    interface Body {
        long length();

        void writeTo(OutputStream out) throws IOException;
    }

    HttpConnection(URI base) {
        this(base, null);
    }

    /** Connecting from {@code sourceAddress} (a loopback alias such as 127.0.0.2), to look like another client. */
    HttpConnection(URI base, String sourceAddress) {
        this(base, sourceAddress, null);
    }

    /** With {@code auth} (null: none), every request carries a token for its scope, as docker sends them. */
    HttpConnection(URI base, String sourceAddress, TokenAuth auth) {
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
        this.sourceAddress = sourceAddress;
        this.auth = auth;
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        if (sourceAddress != null) socket.bind(new InetSocketAddress(sourceAddress, 0));
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(120_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        pos = 0;
        limit = 0;
    }

    Response send(String method, String pathAndQuery, Map<String, String> headers, Body body, boolean keepBody,
                  MessageDigest digestOfBody) throws IOException {
        if (auth == null || headers.containsKey("Authorization")) {
            return attempt(method, pathAndQuery, headers, null, body, keepBody, digestOfBody);
        }
        String scope = scopeOf(pathAndQuery);
        String authorization = auth.authorization(scope);
        Response r = attempt(method, pathAndQuery, headers, authorization, body, keepBody, digestOfBody);
        if (r.status() != 401) return r;
        // Refused (the token expired or was revoked): sign in again once and repeat the request, as docker does
        // (the bench's bodies can be written again).
        auth.refused(scope, authorization);
        return attempt(method, pathAndQuery, headers, auth.authorization(scope), body, keepBody, digestOfBody);
    }

    /** The last path's scope: the load loops send one path again and again, and the client's CPU is the server's. */
    private String scopedPath;
    private String scope;

    private String scopeOf(String pathAndQuery) {
        if (!pathAndQuery.equals(scopedPath)) {
            scope = TokenAuth.scopeOf(pathAndQuery);
            scopedPath = pathAndQuery;
        }
        return scope;
    }

    private Response attempt(String method, String pathAndQuery, Map<String, String> headers, String authorization,
                             Body body, boolean keepBody, MessageDigest digestOfBody) throws IOException {
        if (socket == null) connect();
        try {
            return exchange(method, pathAndQuery, headers, authorization, body, keepBody, digestOfBody);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Response exchange(String method, String path, Map<String, String> headers, String authorization, Body body,
                              boolean keepBody, MessageDigest digest) throws IOException {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("User-Agent: stowage-bench\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (authorization != null) head.append("Authorization: ").append(authorization).append("\r\n");
        head.append("Content-Length: ").append(body == null ? 0 : body.length()).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) body.writeTo(out);
        out.flush();

        String statusLine = readLine();
        if (statusLine == null) throw new IOException("connection closed by server");
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0) responseHeaders.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
        byte[] kept = null;
        long length = 0;
        if (!noBody) {
            java.io.ByteArrayOutputStream keep = keepBody ? new java.io.ByteArrayOutputStream() : null;
            if ("chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding"))) {
                while (true) {
                    String sizeLine = readLine();
                    long size = Long.parseLong(sizeLine.split(";", 2)[0].trim(), 16);
                    if (size == 0) {
                        while (!readLine().isEmpty()) { /* trailers */ }
                        break;
                    }
                    length += readBody(size, keep, digest);
                    readLine();
                }
            } else if (responseHeaders.containsKey("content-length")) {
                length = readBody(Long.parseLong(responseHeaders.get("content-length")), keep, digest);
            }
            if (keep != null) kept = keep.toByteArray();
        }
        if ("close".equalsIgnoreCase(responseHeaders.get("connection"))) close();
        return new Response(status, responseHeaders, kept, length);
    }

    /** Our own read buffer: response heads are parsed from it without a call per byte. */
    private final byte[] buffer = new byte[256 * 1024];
    private int pos;
    private int limit;

    private boolean fill() throws IOException {
        pos = 0;
        limit = in.read(buffer, 0, buffer.length);
        if (limit < 0) {
            limit = 0;
            return false;
        }
        return true;
    }

    private long readBody(long length, java.io.ByteArrayOutputStream keep, MessageDigest digest) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            if (pos == limit && !fill()) throw new IOException("body ended early");
            int n = (int) Math.min(limit - pos, remaining);
            if (keep != null) keep.write(buffer, pos, n);
            if (digest != null) digest.update(buffer, pos, n);
            pos += n;
            remaining -= n;
        }
        return length;
    }

    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == limit && !fill()) return line == null || line.isEmpty() ? null : line.toString();
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') pos++;
            if (pos < limit) {
                int end = pos > start && buffer[pos - 1] == '\r' ? pos - 1 : pos;
                pos++;
                String piece = new String(buffer, start, end - start, StandardCharsets.ISO_8859_1);
                if (line == null) return piece;
                line.append(piece);
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') line.setLength(len - 1);
                return line.toString();
            }
            if (line == null) line = new StringBuilder();
            line.append(new String(buffer, start, pos - start, StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
