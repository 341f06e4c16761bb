package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.MalformedContentException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The build information the Go linker embeds in every binary since Go 1.13, found by streaming the file: a 32-byte
 * header starting with {@code \xff Go buildinf:} at a 16-byte aligned offset, then (since Go 1.18, flag bit 2) the
 * toolchain version and the module information as varint-length strings. Older binaries hold pointers into the data
 * segment instead, which a stream cannot follow; they are reported as unreadable.
 *
 * @param goVersion  {@code go1.19.8}, as the binary says it
 * @param moduleInfo the {@code path/mod/dep/=>/build} lines, without their sentinels; empty for a GOPATH build
 */
record GoBuildInfo(String goVersion, String moduleInfo) {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER = 32;
    private static final int INLINE_STRINGS_FLAG = 0x2;
    private static final int MAX_VERSION = 1 << 10;
    private static final int MAX_MODULE_INFO = 16 << 20;

    /**
     * Reads the stream up to and through the build information.
     *
     * @return empty when the stream holds no build information (not a Go binary)
     */
    static Optional<GoBuildInfo> find(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (true) {
            int n = in.readNBytes(buffer, 0, buffer.length);
            for (int at = 0; at + 16 <= n; at += 16) {
                if (buffer[at] == MAGIC[0] && Arrays.equals(buffer, at, at + MAGIC.length, MAGIC, 0, MAGIC.length)) {
                    return Optional.of(parse(new SequenceInputStream(new ByteArrayInputStream(buffer, at, n - at), in)));
                }
            }
            if (n < buffer.length) {
                return Optional.empty();
            }
        }
    }

    private static GoBuildInfo parse(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER);
        if (header.length < HEADER) {
            throw new MalformedContentException("Go build information is cut off after its magic");
        }
        if ((header[15] & INLINE_STRINGS_FLAG) == 0) {
            throw new MalformedContentException("Go build information in the pointer format of Go before 1.18 "
                    + "(pointer size " + header[14] + ") is not read");
        }
        String version = new String(string(in, MAX_VERSION, "the Go version"), StandardCharsets.UTF_8);
        if (!version.startsWith("go") && !version.startsWith("devel")) {
            throw new MalformedContentException("Go build information with a version that is not one: "
                    + printable(version));
        }
        byte[] info = string(in, MAX_MODULE_INFO, "the module information");
        // the linker brackets the module information in 16-byte sentinels, as debug/buildinfo strips them
        String moduleInfo = info.length >= 33 && info[info.length - 17] == '\n'
                ? new String(info, 16, info.length - 32, StandardCharsets.UTF_8) : "";
        return new GoBuildInfo(version, moduleInfo);
    }

    private static byte[] string(InputStream in, int limit, String what) throws IOException {
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new MalformedContentException("Go build information is cut off in the length of " + what);
            }
            if (shift > 28) {
                throw new MalformedContentException("Go build information has an impossible length of " + what);
            }
            length |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                break;
            }
        }
        if (length > limit) {
            throw new MalformedContentException("Go build information says " + what + " is " + length
                    + " bytes long, more than the " + limit + " any binary has");
        }
        byte[] content = in.readNBytes((int) length);
        if (content.length < length) {
            throw new MalformedContentException("Go build information is cut off in " + what);
        }
        return content;
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
