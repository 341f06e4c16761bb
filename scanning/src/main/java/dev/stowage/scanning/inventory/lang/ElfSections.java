package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.MalformedContentException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Named sections of an ELF file (32 or 64 bit, either byte order), read through random access with every offset checked. */
final class ElfSections {
    private static final int MAX_SECTIONS = 1 << 16;
    private static final int MAX_NAMES = 1 << 20;

    private ElfSections() {
    }

    static boolean isElf(byte[] start) {
        return start.length >= 4 && start[0] == 0x7f && start[1] == 'E' && start[2] == 'L' && start[3] == 'F';
    }

    /**
     * Where the last loaded segment ends in the file, from the program headers in the file's first bytes; 0 when they
     * are not among those bytes (then nothing may be skipped).
     */
    static long endOfLoadedSegments(byte[] start) {
        if (!isElf(start) || start.length < 64 || start[4] != 1 && start[4] != 2) {
            return 0;
        }
        boolean wide = start[4] == 2;
        ByteBuffer header = ByteBuffer.wrap(start).order(start[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long table = wide ? header.getLong(0x20) : Integer.toUnsignedLong(header.getInt(0x1C));
        int entrySize = Short.toUnsignedInt(header.getShort(wide ? 0x36 : 0x2A));
        int count = Short.toUnsignedInt(header.getShort(wide ? 0x38 : 0x2C));
        if (entrySize < (wide ? 56 : 32) || table < 0 || table + (long) entrySize * count > start.length) {
            return 0;
        }
        long end = 0;
        for (int i = 0; i < count; i++) {
            int base = (int) table + i * entrySize;
            if (header.getInt(base) != 1) { // PT_LOAD
                continue;
            }
            long offset = wide ? header.getLong(base + 0x08) : Integer.toUnsignedLong(header.getInt(base + 0x04));
            long size = wide ? header.getLong(base + 0x20) : Integer.toUnsignedLong(header.getInt(base + 0x10));
            if (offset < 0 || size < 0) {
                return 0;
            }
            end = Math.max(end, offset + size);
        }
        return end;
    }

    /** The content of the named section, if there is one, at most {@code limit} bytes. */
    static Optional<byte[]> section(FileChannel file, String wanted, int limit) throws IOException {
        long fileSize = file.size();
        ByteBuffer ident = read(file, 0, 64, fileSize, "its header");
        boolean wide = ident.get(4) == 2;
        if (ident.get(4) != 1 && !wide) {
            throw new MalformedContentException("ELF file of unknown class " + ident.get(4));
        }
        ByteOrder order = ident.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer header = ident.order(order);
        long sectionTable = wide ? header.getLong(0x28) : Integer.toUnsignedLong(header.getInt(0x20));
        int entrySize = Short.toUnsignedInt(header.getShort(wide ? 0x3A : 0x2E));
        int count = Short.toUnsignedInt(header.getShort(wide ? 0x3C : 0x30));
        int namesIndex = Short.toUnsignedInt(header.getShort(wide ? 0x3E : 0x32));
        if (sectionTable == 0 || count == 0) {
            return Optional.empty();
        }
        if (entrySize < (wide ? 64 : 40) || count > MAX_SECTIONS || namesIndex >= count) {
            throw new MalformedContentException("ELF section table with impossible sizes");
        }
        ByteBuffer table = read(file, sectionTable, (long) entrySize * count, fileSize, "its section table").order(order);
        long[] names = sectionRange(table, namesIndex, entrySize, wide);
        ByteBuffer nameTable = read(file, names[0], Math.min(names[1], MAX_NAMES), fileSize, "its section names");
        byte[] wantedName = (wanted + "\0").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            int nameOffset = table.getInt(i * entrySize);
            if (nameOffset >= 0 && matches(nameTable, nameOffset, wantedName)) {
                long[] range = sectionRange(table, i, entrySize, wide);
                if (range[1] > limit) {
                    throw new MalformedContentException("ELF section " + wanted + " is " + range[1]
                            + " bytes, more than the " + limit + " read");
                }
                ByteBuffer content = read(file, range[0], range[1], fileSize, "section " + wanted);
                byte[] bytes = new byte[content.remaining()];
                content.get(bytes);
                return Optional.of(bytes);
            }
        }
        return Optional.empty();
    }

    private static long[] sectionRange(ByteBuffer table, int index, int entrySize, boolean wide) {
        int base = index * entrySize;
        return wide ? new long[]{table.getLong(base + 0x18), table.getLong(base + 0x20)}
                : new long[]{Integer.toUnsignedLong(table.getInt(base + 0x10)),
                        Integer.toUnsignedLong(table.getInt(base + 0x14))};
    }

    private static boolean matches(ByteBuffer names, int offset, byte[] wanted) {
        if ((long) offset + wanted.length > names.limit()) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (names.get(offset + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer read(FileChannel file, long offset, long length, long fileSize, String what)
            throws IOException {
        if (offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset > fileSize || length > fileSize - offset) {
            throw new MalformedContentException("ELF file whose " + what + " lies outside it");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, offset + buffer.position()) < 0) {
                throw new MalformedContentException("ELF file cut off in " + what);
            }
        }
        return buffer.flip();
    }
}
