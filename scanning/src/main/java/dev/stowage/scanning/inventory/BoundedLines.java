package dev.stowage.scanning.inventory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Lines of a text database, each bounded: a file of one endless line must not fill the heap. */
final class BoundedLines {
    static final int MAX_LINE = 1024 * 1024;

    private final BufferedReader reader;
    private final String path;
    private final StringBuilder line = new StringBuilder();
    private long number;

    BoundedLines(InputStream in, String path) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
        this.path = path;
    }

    /** The next line without its terminator, or null at the end. */
    String next() throws IOException {
        line.setLength(0);
        int c;
        boolean any = false;
        while ((c = reader.read()) >= 0) {
            any = true;
            if (c == '\n') {
                break;
            }
            if (line.length() == MAX_LINE) {
                throw new MalformedContentException(path + ": line " + (number + 1) + " is longer than " + MAX_LINE
                        + " characters");
            }
            line.append((char) c);
        }
        if (!any) {
            return null;
        }
        number++;
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        return line.substring(0, end);
    }

    long number() {
        return number;
    }
}
