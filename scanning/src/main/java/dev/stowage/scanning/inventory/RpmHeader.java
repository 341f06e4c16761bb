package dev.stowage.scanning.inventory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An rpm header as the rpmdb stores it (the header structure of the rpm file format, without its 8-byte magic): a
 * big-endian index count and data length, that many 16-byte index entries (tag, type, offset, count), then the data.
 * Only the tags of {@link Tag} are read; every offset is checked against the data before it is used.
 */
final class RpmHeader {
    enum Tag {
        NAME(1000), VERSION(1001), RELEASE(1002), EPOCH(1003), ARCH(1022), SOURCERPM(1044);

        final int number;

        Tag(int number) {
            this.number = number;
        }
    }

    private static final int TYPE_INT32 = 4;
    private static final int TYPE_STRING = 6;
    private static final int TYPE_STRING_ARRAY = 8;
    private static final int TYPE_I18NSTRING = 9;
    /** rpm's own limits for a header (hdrblobInit): at most 0xffff index entries, 256 MiB of data. */
    private static final int MAX_INDEX_ENTRIES = 0xffff;
    private static final int MAX_DATA = 256 * 1024 * 1024;

    private final Map<Tag, String> strings = new HashMap<>();
    private final Map<Tag, Integer> numbers = new HashMap<>();

    private RpmHeader() {
    }

    static RpmHeader parse(byte[] blob) throws MalformedContentException {
        if (blob.length < 8) {
            throw new MalformedContentException("rpm header of " + blob.length + " bytes is shorter than its preamble");
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        int indexCount = buffer.getInt(0);
        int dataLength = buffer.getInt(4);
        if (indexCount < 1 || indexCount > MAX_INDEX_ENTRIES || dataLength < 0 || dataLength > MAX_DATA) {
            throw new MalformedContentException("rpm header declares " + indexCount + " index entries and "
                    + dataLength + " data bytes");
        }
        long dataStart = 8L + 16L * indexCount;
        if (dataStart + dataLength > blob.length) {
            throw new MalformedContentException("rpm header declares " + (dataStart + dataLength)
                    + " bytes but has " + blob.length);
        }
        RpmHeader header = new RpmHeader();
        for (int i = 0; i < indexCount; i++) {
            int entry = 8 + 16 * i;
            int tagNumber = buffer.getInt(entry);
            Tag tag = tag(tagNumber);
            if (tag == null) {
                continue;
            }
            int type = buffer.getInt(entry + 4);
            int offset = buffer.getInt(entry + 8);
            int count = buffer.getInt(entry + 12);
            if (offset < 0 || offset >= dataLength || count < 1) {
                throw new MalformedContentException("rpm header tag " + tagNumber + " points outside the header data");
            }
            int at = (int) dataStart + offset;
            int end = (int) dataStart + dataLength;
            switch (type) {
                case TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING -> header.strings.put(tag, string(blob, at, end, tagNumber));
                case TYPE_INT32 -> {
                    if (at + 4 > end) {
                        throw new MalformedContentException("rpm header tag " + tagNumber + " runs past the header data");
                    }
                    header.numbers.put(tag, buffer.getInt(at));
                }
                default -> throw new MalformedContentException("rpm header tag " + tagNumber + " has type " + type);
            }
        }
        return header;
    }

    private static Tag tag(int number) {
        for (Tag tag : Tag.values()) {
            if (tag.number == number) {
                return tag;
            }
        }
        return null;
    }

    private static String string(byte[] blob, int at, int end, int tag) throws MalformedContentException {
        for (int i = at; i < end; i++) {
            if (blob[i] == 0) {
                return new String(blob, at, i - at, StandardCharsets.UTF_8);
            }
        }
        throw new MalformedContentException("rpm header tag " + tag + " has a string without its terminating NUL");
    }

    String string(Tag tag) {
        return strings.get(tag);
    }

    Integer number(Tag tag) {
        return numbers.get(tag);
    }
}
