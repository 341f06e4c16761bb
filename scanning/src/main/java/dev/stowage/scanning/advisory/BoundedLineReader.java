package dev.stowage.scanning.advisory;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines like BufferedReader.readLine, but never holds more than {@link #MAX_LINE} characters of one line: the
 * converters read files an operator imports, and a single gigantic line must cost neither unbounded memory nor a
 * crash. A longer line is returned cut off, with {@link #lastLineTruncated()} set so the caller can skip it with a
 * reason.
 */
final class BoundedLineReader {
    /** Far above any real advisory line (the longest CVE list in the Debian data is a few kilobytes). */
    static final int MAX_LINE = 64 * 1024;

    private final Reader in;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private boolean truncated;
    private boolean skipLineFeed;

    BoundedLineReader(Reader in) {
        this.in = in;
    }

    /** The next line without its terminator ({@code \n}, {@code \r\n} or {@code \r}), or null at the end. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        truncated = false;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return any ? line.toString() : null;
                }
            }
            char c = buffer[position++];
            if (skipLineFeed) {
                skipLineFeed = false;
                if (c == '\n') {
                    continue;
                }
            }
            any = true;
            if (c == '\n') {
                return line.toString();
            }
            if (c == '\r') {
                skipLineFeed = true;
                return line.toString();
            }
            if (line.length() < MAX_LINE) {
                line.append(c);
            } else {
                truncated = true;
            }
        }
    }

    boolean lastLineTruncated() {
        return truncated;
    }
}
